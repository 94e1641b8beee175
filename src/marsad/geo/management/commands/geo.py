"""``marsad geo load FILE`` / ``load-reference`` / ``export``: administrative areas on the command
line. Loads are all or nothing; every error is printed as "line N, column X: message"."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from marsad.geo import services
from marsad.geo.models import LEVEL_NAMES, AdminArea, parse_level


class Command(BaseCommand):
    help = "Load administrative areas from CSV or GeoJSON, load the Iraq reference list, export."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        load = subcommands.add_parser(
            "load",
            help="Add or update areas from a Marsad CSV, an OCHA COD-AB CSV or a GeoJSON file.",
        )
        load.add_argument("file", help="Path of the CSV or GeoJSON file.")
        load.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing anything.",
        )

        reference = subcommands.add_parser(
            "load-reference", help="Load the shipped list of Iraq's governorates and districts."
        )
        reference.add_argument("--dry-run", action="store_true")

        export = subcommands.add_parser(
            "export", help="Print areas as CSV (pcode,name_en,name_ar,parent_pcode) or GeoJSON."
        )
        export.add_argument(
            "--level",
            help=f"Only areas at this level: {', '.join(LEVEL_NAMES.values())} (or 0-4).",
        )
        export.add_argument("--parent", help="Only areas below the area with this P-code.")
        export.add_argument("--format", choices=["csv", "geojson"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "load":
            self._load(options)
        elif subcommand == "load-reference":
            report = services.areas_load_reference(actor=None, dry_run=options["dry_run"])
            self._finish(report, options)
        else:
            self._export(options)

    def _load(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s.") % {"path": path, "reason": error.strerror}
            ) from error
        report = services.areas_load_file(
            actor=None, content=content, filename=path.name, dry_run=options["dry_run"]
        )
        self._finish(report, options)

    def _finish(self, report: services.LoadReport, options: dict[str, Any]) -> None:
        if not report.ok:
            raise CommandError(report.error_text)
        if options["verbosity"] >= 2:
            for pcode in report.created:
                self.stdout.write(f"created {pcode}")
            for pcode in report.updated:
                self.stdout.write(f"updated {pcode}")
        self.stdout.write(report.summary)

    def _export(self, options: dict[str, Any]) -> None:
        level = None
        if options["level"] is not None:
            level = parse_level(options["level"])
            if level is None:
                raise CommandError(
                    _("--level '%(value)s' is not a level; use one of %(levels)s.")
                    % {"value": options["level"], "levels": ", ".join(LEVEL_NAMES.values())}
                )
        below = None
        if options["parent"]:
            try:
                below = AdminArea.objects.get(pcode=options["parent"])
            except AdminArea.DoesNotExist as error:
                raise CommandError(
                    _("--parent '%(value)s': no area has this P-code.")
                    % {"value": options["parent"]}
                ) from error
        text = services.areas_export(
            actor=None, level=level, below=below, export_format=options["format"]
        )
        self.stdout.write(text, ending="")
