"""``marsad partners``: load a partners document, load the shipped demo document, export.

marsad partners load FILE.json [--dry-run]
marsad partners load-demo [--dry-run]
marsad partners export --what organisations|programmes|funding --format csv|json
"""

import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marsad.core import audit
from marsad.core.models import AuditAction
from marsad.partners import exporters, services
from marsad.partners.models import Funding, Organisation, Programme

DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "demo_partners.json"


class Command(BaseCommand):
    help = "Load or export organisations, programmes and funding."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")
        load = commands.add_parser(
            "load", help="Load a JSON document of the demo schema (idempotent; all or nothing)."
        )
        load.add_argument("file", help="JSON file with organisations, programmes, funding")
        load.add_argument("--dry-run", action="store_true", help="Report, write nothing.")
        demo = commands.add_parser("load-demo", help="Load the demo document shipped with Marsad.")
        demo.add_argument("--dry-run", action="store_true", help="Report, write nothing.")
        export = commands.add_parser("export", help="Write records to standard output.")
        export.add_argument(
            "--what", required=True, choices=["organisations", "programmes", "funding"]
        )
        export.add_argument("--format", default="csv", choices=["csv", "json"])

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "load":
            self._load(Path(options["file"]), dry_run=options["dry_run"])
        elif subcommand == "load-demo":
            self._load(DEMO_FILE, dry_run=options["dry_run"])
        else:
            self._export(options["what"], options["format"])

    def _load(self, path: Path, *, dry_run: bool) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"{path} is not valid JSON: {error}") from error
        report = services.partners_load(actor=None, data=data, dry_run=dry_run, source=path.name)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Nothing was loaded from {path.name}: {len(report.errors)} error(s) above."
            )
        heading = "Would load (dry run, nothing written)" if dry_run else "Loaded"
        self.stdout.write(f"{heading} {path.name}:")
        self.stdout.write(report.summary())

    def _export(self, what: str, file_format: str) -> None:
        if what == "organisations":
            records = exporters.organisation_records(Organisation.objects.all())
        elif what == "programmes":
            records = exporters.programme_records(Programme.objects.all())
        else:
            records = exporters.funding_records(Funding.objects.all())
        # Written whole: the command's output wrapper would end every partial write with a line.
        buffer = io.StringIO()
        if file_format == "json":
            count = exporters.write_json(what, records, buffer)
        else:
            count = exporters.write_csv(records, exporters.COLUMNS[what], buffer)
        self.stdout.write(buffer.getvalue(), ending="")
        audit.record(
            actor=None,
            action=AuditAction.EXPORT,
            object_type=f"partners.{what}",
            object_repr=f"{what} ({file_format})",
            context={"what": what, "format": file_format, "rows": count, "via": "command line"},
        )
