"""``marsad assistance``: vulnerability targeting and assistance from the command line.

``import-receipts FILE --plan CODE_OR_ID [--dry-run] [--user USERNAME]`` imports a completed
distribution list (CSV or XLSX, one row per receipt; the columns are those of
``marsad.assistance.importers.COLUMNS``) into an approved plan, named by its code or its number.
All or nothing: when any row has an error, every error is printed and nothing is written (exit
status 1). Rows imported before are left unchanged, so importing the same file again changes
nothing. Without ``--user`` the import runs as the system (which may override a double
assistance when a row gives its reason); with it, as that user, with that user's rights.

A new verb is one more ``subcommands.add_parser`` in ``add_arguments`` and one more entry in
``handle``'s table.
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Vulnerability targeting and assistance: import completed distribution lists."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        receipts = subcommands.add_parser(
            "import-receipts",
            help=(
                "Import a completed distribution list (CSV or XLSX, one row per receipt) into "
                "an approved plan. Nothing is written when any row has an error."
            ),
        )
        receipts.add_argument("file", help="Path of the CSV or XLSX file.")
        receipts.add_argument(
            "--plan", required=True, help="The plan's code (e.g. PHSS-BA-2026-R1) or number."
        )
        receipts.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing anything.",
        )
        receipts.add_argument(
            "--user",
            help=(
                "Import as this user (their scope and rights apply, and they are named as "
                "recorder and in the audit log); the system when omitted."
            ),
        )
        from marsad.assistance.cli_export import add_parser as add_export_parser

        add_export_parser(subcommands)

    def handle(self, *args: Any, **options: Any) -> None:
        from marsad.assistance.cli_export import run_export

        handlers = {
            "import-receipts": self._import_receipts,
            "export": lambda options: run_export(options, self.stdout),
        }
        handlers[options["subcommand"]](options)

    # --- import-receipts --------------------------------------------------------------------

    def _import_receipts(self, options: dict[str, Any]) -> None:
        from marsad.assistance.importers import find_plan, receipt_list_import
        from marsad.core.errors import error_text

        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        plan = find_plan(options["plan"])
        if plan is None:
            raise CommandError(
                _("There is no assistance plan with the code or number %(plan)s.")
                % {"plan": options["plan"]}
            )
        actor = None
        if options.get("user"):
            actor = (
                get_user_model().objects.filter(username=options["user"], is_active=True).first()
            )
            if actor is None:
                raise CommandError(
                    _("There is no active user %(username)s.") % {"username": options["user"]}
                )
        try:
            report = receipt_list_import(
                actor=actor,
                plan=plan,
                content=content,
                filename=path.name,
                dry_run=options["dry_run"],
            )
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(error_text(error)) from error
        if not report.ok:
            raise CommandError(report.error_text)
        self.stdout.write(report.summary)
