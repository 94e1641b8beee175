"""``marsad assistance export --format csv|xlsx|hxl [--table 5w] [--programme CODE] [--donor
CODE] [--partner CODE] [--type TYPE] [--area PCODE] [--from YYYY-MM-DD --to YYYY-MM-DD]
[--output FILE]``: the 5W (or a table of ``reports``) on standard output, or in ``--output``.

XLSX is a binary file: it goes to ``--output`` (or to standard output's binary stream when
there is one, e.g. ``> file.xlsx``). The command line counts every receipt, nothing suppressed.
``add_parser`` adds the subcommand to ``marsad assistance``; ``run_export`` is its body.
"""

import datetime
from pathlib import Path
from typing import IO, Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from marsad.assistance import reports, reports_export
from marsad.assistance.models import AssistanceType
from marsad.geo.models import AdminArea
from marsad.partners.models import Organisation, Programme


def add_parser(subcommands: Any) -> None:
    """Add ``export`` to the subcommands of ``marsad assistance``."""
    export = subcommands.add_parser(
        "export",
        help=(
            "Write the 5W of assistance (who, what, where, when, for whom) or a report table as "
            "CSV, XLSX or HXL-tagged CSV, to standard output or --output."
        ),
    )
    export.add_argument("--format", default="csv", help="csv (default), xlsx or hxl.")
    export.add_argument(
        "--table",
        default=reports_export.FIVE_W,
        help="5w (default), or a report table: " + ", ".join(reports.DIMENSIONS) + ".",
    )
    export.add_argument("--programme", help="Only this programme (its code).")
    export.add_argument("--donor", help="Only plans funded by this donor (its code).")
    export.add_argument("--partner", help="Only plans of this implementing partner (its code).")
    export.add_argument(
        "--type", dest="assistance_type", help="Only this assistance type, e.g. food_parcel."
    )
    export.add_argument("--area", help="Only households living within this area (P-code).")
    export.add_argument("--from", dest="date_from", help="Received on or after, YYYY-MM-DD.")
    export.add_argument("--to", dest="date_to", help="Received on or before, YYYY-MM-DD.")
    export.add_argument("--output", help="Write to this file instead of standard output.")


def _date(option: str, text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            _("%(option)s takes a date YYYY-MM-DD, not %(value)s.")
            % {"option": option, "value": text}
        ) from error


def _get(model: type, option: str, lookup: str, value: str | None) -> Any:
    if not value:
        return None
    found = model.objects.filter(**{lookup: value}).first()
    if found is None:
        raise CommandError(
            _("%(option)s: nothing has the code %(value)s.") % {"option": option, "value": value}
        )
    return found


def filters_from(options: dict[str, Any]) -> reports.Filters:
    """The command's filters, each checked with a message naming the option."""
    kind = options.get("assistance_type") or None
    if kind and kind not in AssistanceType.values:
        raise CommandError(
            _("--type %(value)s is not known; use one of %(types)s.")
            % {"value": kind, "types": ", ".join(AssistanceType.values)}
        )
    date_from = _date("--from", options.get("date_from"))
    date_to = _date("--to", options.get("date_to"))
    if date_from and date_to and date_from > date_to:
        raise CommandError(_("--from must not be after --to."))
    return reports.Filters(
        programme=_get(Programme, "--programme", "code__iexact", options.get("programme")),
        donor=_get(Organisation, "--donor", "code__iexact", options.get("donor")),
        partner=_get(Organisation, "--partner", "code__iexact", options.get("partner")),
        assistance_type=kind,
        date_from=date_from,
        date_to=date_to,
        area=_get(AdminArea, "--area", "pcode__iexact", options.get("area")),
    )


def run_export(options: dict[str, Any], stdout: IO[Any]) -> reports_export.ExportFile:
    """Write the export to ``options["output"]`` or ``stdout``; returns what was written."""
    table = options.get("table") or reports_export.FIVE_W
    file_format = options.get("format") or "csv"
    if table not in reports_export.TABLES:
        raise CommandError(
            _("--table %(table)s is not known; use one of %(tables)s.")
            % {"table": table, "tables": ", ".join(reports_export.TABLES)}
        )
    if file_format not in reports_export.FORMATS:
        raise CommandError(
            _("--format %(format)s is not known; use one of %(formats)s.")
            % {"format": file_format, "formats": ", ".join(reports_export.FORMATS)}
        )
    filters = filters_from(options)
    output = options.get("output")
    binary_out = None
    if file_format == "xlsx" and not output:
        binary_out = getattr(stdout, "buffer", None)
        if binary_out is None:
            raise CommandError(_("XLSX is a binary file: give --output FILE."))
    result = reports_export.export(
        actor=None,
        user=None,
        table=table,
        file_format=file_format,
        filters=filters,
        channel="cli",
    )
    if output:
        Path(output).write_bytes(result.content)
    elif binary_out is not None:
        stdout.flush()
        binary_out.write(result.content)
        binary_out.flush()
    else:
        # The CSV ends with a newline, so a management command's OutputWrapper adds none.
        stdout.write(result.content.decode("utf-8"))
    return result
