"""``marsad registry import FILE --organisation CODE --kind KIND --source-name NAME
[--programme CODE] [--dry-run]``: import a source list (CSV or XLSX, one row per person) into the
household registry. All or nothing; every error is printed as "row N, column X: message"."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from marsad.partners.models import Organisation, Programme
from marsad.registry.importers import COLUMNS, IMPORT_KINDS, source_list_import


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "\n".join(
            f"{field}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        )
    return "\n".join(error.messages)


class Command(BaseCommand):
    help = "Work with the household registry on the command line."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        source_import = subcommands.add_parser(
            "import",
            help=(
                "Import a source list (CSV or XLSX, one row per person) with the columns "
                + ", ".join(COLUMNS)
                + "; other columns are kept as received."
            ),
        )
        source_import.add_argument("file", help="Path of the CSV or XLSX file.")
        source_import.add_argument(
            "--organisation", required=True, help="Code of the organisation the list came from."
        )
        source_import.add_argument(
            "--kind",
            required=True,
            choices=[str(kind) for kind in IMPORT_KINDS],
            help="What kind of list it is.",
        )
        source_import.add_argument(
            "--source-name",
            required=True,
            help='The list\'s name, kept with every record (e.g. "MoDM Baghdad register 2026").',
        )
        source_import.add_argument(
            "--programme", help="Code of the programme new households belong to (optional)."
        )
        source_import.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing anything.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(
                _("There is no organisation with the code %(code)s.")
                % {"code": options["organisation"]}
            )
        programme = None
        if options.get("programme"):
            programme = Programme.objects.filter(code=options["programme"]).first()
            if programme is None:
                raise CommandError(
                    _("There is no programme with the code %(code)s.")
                    % {"code": options["programme"]}
                )
        try:
            report = source_list_import(
                actor=None,
                organisation=organisation,
                kind=options["kind"],
                source_name=options["source_name"],
                content=content,
                filename=path.name,
                dry_run=options["dry_run"],
                programme=programme,
            )
        except ValidationError as error:
            raise CommandError(_validation_text(error)) from error
        if not report.ok:
            raise CommandError(report.error_text)
        self.stdout.write(report.summary)
