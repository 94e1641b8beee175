"""``marsad displacement import-masterlist FILE --round N --organisation CODE [--dry-run]``,
``round-create N --kind K --start YYYY-MM-DD --end YYYY-MM-DD`` and ``export``: displacement
tracking on the command line. Imports are all or nothing; every error is printed as
"row N, column X: message"."""

import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from marsad.displacement import services
from marsad.displacement.models import AssessmentRound, RoundKind
from marsad.partners.models import Organisation, Programme


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            _("%(value)s is not a date; write it as YYYY-MM-DD.") % {"value": text}
        ) from error


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "\n".join(
            f"{field}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        )
    return "\n".join(error.messages)


class Command(BaseCommand):
    help = "Import master lists, add assessment rounds and export displacement figures."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        masterlist = subcommands.add_parser(
            "import-masterlist",
            help="Import a master list (CSV or XLSX, one row per location and population group).",
        )
        masterlist.add_argument("file", help="Path of the CSV or XLSX file.")
        masterlist.add_argument("--round", type=int, required=True, help="The round's number.")
        masterlist.add_argument(
            "--organisation", required=True, help="Code of the assessing organisation."
        )
        masterlist.add_argument(
            "--programme", help="Code of the programme new assessments belong to (optional)."
        )
        masterlist.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing anything.",
        )

        round_create = subcommands.add_parser("round-create", help="Open a new assessment round.")
        round_create.add_argument("number", type=int, help="The round's number.")
        round_create.add_argument(
            "--kind", choices=RoundKind.values, default=RoundKind.LOCATION_ASSESSMENT
        )
        round_create.add_argument("--start", required=True, help="First day, YYYY-MM-DD.")
        round_create.add_argument("--end", required=True, help="Last day, YYYY-MM-DD.")
        round_create.add_argument("--notes", default="")

        export = subcommands.add_parser(
            "export", help="Write a round's figures by area as CSV, XLSX or HXL-tagged CSV."
        )
        export.add_argument("--round", type=int, required=True, help="The round's number.")
        export.add_argument(
            "--level",
            default="governorate",
            help="governorate, district or location (or another table the exporter offers).",
        )
        export.add_argument("--population-type", help="idp, returnee or host.")
        export.add_argument("--area", help="Only areas below the area with this P-code.")
        export.add_argument("--format", choices=["csv", "xlsx", "hxl"], default="csv")
        export.add_argument(
            "--public",
            action="store_true",
            help="As aggregate viewers see it: published figures only, small cells suppressed.",
        )
        export.add_argument("--output", help="Write to this file instead of standard output.")

        xlsform = subcommands.add_parser(
            "xlsform", help="Write the location-assessment XLSForm for KoboToolbox or ODK."
        )
        xlsform.add_argument("--output", required=True, help="Path of the XLSX file to write.")

        kobo = subcommands.add_parser(
            "import-kobo",
            help=(
                "Import submissions of the assessment form: Kobo API v2 JSON, a Kobo XLSX "
                "export, or the CSV files of a Kobo or ODK Central export (loose or zipped)."
            ),
        )
        kobo.add_argument(
            "file",
            nargs="+",
            help=(
                "The JSON file, the XLSX export, the ZIP, or the CSV files (the main table and "
                "the population table)."
            ),
        )
        self._kobo_arguments(kobo)

        pull = subcommands.add_parser(
            "kobo-pull", help="Pull every submission of the assessment form from a Kobo server."
        )
        pull.add_argument(
            "--url", required=True, help="The Kobo server, e.g. https://kf.example.org."
        )
        pull.add_argument("--token", required=True, help="The Kobo API token.")
        pull.add_argument("--asset", required=True, help="The form's asset uid.")
        self._kobo_arguments(pull)

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "import-masterlist":
            self._import(options)
        elif subcommand == "round-create":
            self._round_create(options)
        elif subcommand == "xlsform":
            self._xlsform(options)
        elif subcommand == "import-kobo":
            self._import_kobo(options)
        elif subcommand == "kobo-pull":
            self._kobo_pull(options)
        else:
            from marsad.displacement import cli_export  # written separately; loaded when used

            cli_export.run_export(options, self.stdout)

    @staticmethod
    def _kobo_arguments(parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, required=True, help="The round's number.")
        parser.add_argument(
            "--organisation", required=True, help="Code of the assessing organisation."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the submissions and report what would change, without writing anything.",
        )
        parser.add_argument(
            "--programme", help="Code of the programme new assessments belong to (optional)."
        )

    def _organisation(self, code: str) -> Organisation:
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            raise CommandError(
                _("There is no organisation with the code %(code)s.") % {"code": code}
            )
        return organisation

    @staticmethod
    def _programme(code: str | None) -> Programme | None:
        if not code:
            return None
        programme = Programme.objects.filter(code=code).first()
        if programme is None:
            raise CommandError(_("There is no programme with the code %(code)s.") % {"code": code})
        return programme

    def _load_kobo(self, options: dict[str, Any], submissions: Any, source: str) -> None:
        from marsad.displacement.kobo.load import submissions_import

        round_ = self._round(options["round"])
        organisation = self._organisation(options["organisation"])
        try:
            report = submissions_import(
                actor=None,
                round=round_,
                organisation=organisation,
                submissions=submissions,
                source=source,
                dry_run=options["dry_run"],
                programme=self._programme(options.get("programme")),
            )
        except ValidationError as error:
            raise CommandError(_validation_text(error)) from error
        if not report.ok:
            raise CommandError(report.error_text)
        self.stdout.write(report.summary)

    def _import_kobo(self, options: dict[str, Any]) -> None:
        from marsad.displacement.kobo.load import files_import

        files = []
        for name in options["file"]:
            path = Path(name)
            try:
                files.append((path.name, path.read_bytes()))
            except OSError as error:
                raise CommandError(
                    _("Cannot read %(path)s: %(reason)s.")
                    % {"path": path, "reason": error.strerror}
                ) from error
        round_ = self._round(options["round"])
        organisation = self._organisation(options["organisation"])
        try:
            report = files_import(
                actor=None,
                round=round_,
                organisation=organisation,
                files=files,
                dry_run=options["dry_run"],
                programme=self._programme(options.get("programme")),
            )
        except ValidationError as error:
            raise CommandError(_validation_text(error)) from error
        if not report.ok:
            raise CommandError(report.error_text)
        self.stdout.write(report.summary)

    def _kobo_pull(self, options: dict[str, Any]) -> None:
        from marsad.displacement.kobo.client import KoboError, fetch_pages

        self._round(options["round"])
        self._organisation(options["organisation"])
        try:
            pages = fetch_pages(url=options["url"], token=options["token"], asset=options["asset"])
        except KoboError as error:
            raise CommandError(str(error)) from error
        self._load_kobo(options, pages, options["url"])

    def _round(self, number: int) -> AssessmentRound:
        try:
            return AssessmentRound.objects.get(number=number)
        except AssessmentRound.DoesNotExist as error:
            raise CommandError(
                _("There is no round %(number)d; add it with round-create.") % {"number": number}
            ) from error

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s.") % {"path": path, "reason": error.strerror}
            ) from error
        round_ = self._round(options["round"])
        organisation = self._organisation(options["organisation"])
        programme = self._programme(options.get("programme"))
        try:
            report = services.masterlist_import(
                actor=None,
                round=round_,
                organisation=organisation,
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

    def _round_create(self, options: dict[str, Any]) -> None:
        try:
            round_ = services.round_create(
                actor=None,
                number=options["number"],
                kind=options["kind"],
                period_start=_date(options["start"]),
                period_end=_date(options["end"]),
                notes=options["notes"],
            )
        except ValidationError as error:
            raise CommandError(_validation_text(error)) from error
        self.stdout.write(
            _("Round %(number)d opened: %(period)s.")
            % {"number": round_.number, "period": services.period_text(round_)}
        )

    def _xlsform(self, options: dict[str, Any]) -> None:
        from marsad.displacement.kobo.xlsform import build_xlsform

        path = Path(options["output"])
        try:
            path.write_bytes(build_xlsform())
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s.") % {"path": path, "reason": error.strerror}
            ) from error
        self.stdout.write(_("XLSForm written to %(path)s.") % {"path": path})
