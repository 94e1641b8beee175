"""``marsad displacement export --round N --level governorate --format hxl [--public]``: the body
of the command (the command module parses the arguments and calls ``run_export``).

Options: ``round`` (number, required), ``level`` (a table of ``exporters.TABLES``:
governorate, district, location, masterlist, totals, trend, flows, shelter, needs, intentions;
default governorate), ``format`` (csv, xlsx, hxl; default csv), ``public`` (published figures
only, small cells suppressed), ``population_type``, ``area`` (P-code), ``output`` (a file path;
standard output when absent — XLSX then goes to the binary stream).
"""

from pathlib import Path
from typing import IO, Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from marsad.displacement import exporters
from marsad.displacement.models import AssessmentRound, PopulationType
from marsad.geo.models import AdminArea


def _round(number: Any) -> AssessmentRound:
    try:
        return AssessmentRound.objects.get(number=int(number))
    except (TypeError, ValueError) as error:
        raise CommandError(_("--round takes a round number, e.g. --round 3.")) from error
    except AssessmentRound.DoesNotExist as error:
        raise CommandError(_("There is no round %(number)s.") % {"number": number}) from error


def _area(pcode: str | None) -> AdminArea | None:
    if not pcode:
        return None
    try:
        return AdminArea.objects.get(pcode=pcode)
    except AdminArea.DoesNotExist as error:
        raise CommandError(_("--area: no area has the P-code %(pcode)s.") % {"pcode": pcode}) from (
            error
        )


def run_export(options: dict[str, Any], stdout: IO[Any]) -> exporters.ExportFile:
    """Write the export to ``options["output"]`` or ``stdout``; returns what was written."""
    table = options.get("level") or "governorate"
    file_format = options.get("format") or "csv"
    if table not in exporters.TABLES:
        raise CommandError(
            _("--level %(level)s is not known; use one of %(tables)s.")
            % {"level": table, "tables": ", ".join(exporters.TABLES)}
        )
    if file_format not in exporters.FORMATS:
        raise CommandError(
            _("--format %(format)s is not known; use one of %(formats)s.")
            % {"format": file_format, "formats": ", ".join(exporters.FORMATS)}
        )
    population_type = options.get("population_type") or None
    if population_type and population_type not in PopulationType.values:
        raise CommandError(
            _("--population-type %(value)s is not known; use one of %(types)s.")
            % {"value": population_type, "types": ", ".join(PopulationType.values)}
        )
    if options.get("round") is None:
        raise CommandError(_("--round is required, e.g. --round 3."))
    round = _round(options["round"])
    area = _area(options.get("area"))
    output = options.get("output")
    binary_out = None
    if file_format == "xlsx" and not output:
        binary_out = getattr(stdout, "buffer", None)
        if binary_out is None:
            raise CommandError(_("XLSX is a binary file: give --output FILE."))
    result = exporters.export(
        actor=None,
        user=None,
        table=table,
        file_format=file_format,
        round=round,
        population_type=population_type,
        area=area,
        public=bool(options.get("public")),
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
