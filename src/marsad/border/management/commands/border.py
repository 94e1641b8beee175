"""``marsad border``: the border officer's command line.

``mrz`` reads a machine readable zone (2 or 3 lines) from standard input and prints JSON: the
black-box interface of ARCHITECTURE.md. The document is

    {"format": "TD3" | "TD2" | "TD1" | "MRV-A" | "MRV-B" | null,
     "fields": {document_type, issuing_state, surname, given_names, document_number,
                nationality, birth_date (YYYY-MM-DD), sex (M, F or X), expiry_date,
                optional_data} | null,
     "checks": {document_number, birth_date, expiry_date, optional_data, composite:
                true | false | null where the format has no such check} | null,
     "valid": true | false,
     "errors": [{code, message, field?, line?, suggestion?, corrections?}],
     "warnings": [...],
     "details": {...}}

``fields`` and ``checks`` are null when the text cannot be read as an MRZ at all (wrong line
count or length, lower case, characters outside A–Z 0–9 '<'); ``errors`` says why.

``mrz --batch`` reads JSON lines ``{"mrz": "LINE1\\nLINE2"}`` (an ``"id"`` is copied through)
and writes one compact result a line, each with ``"line"``, its input line number. A line that
is not such an object gives an error result and the batch goes on. Blank lines are skipped.

Exit status: 0 when every MRZ is valid, 1 when one or more is not (or an input line is bad),
2 for a usage error (unknown option, bad --today or --language).

``screen --watchlist WL.csv --travellers T.csv --output HITS.csv [--threshold N]`` screens
every traveller against the watchlist (``marsad.border.screening``; the columns are those of
ARCHITECTURE.md, CSV or XLSX) and writes one row per pair scoring at least the threshold:
``traveller_id, entry_id, score, explanation``. It prints one summary line (travellers
screened, hits, time). Exit status: 0 when screened, 1 when a row of either file cannot be used
(each such row is listed; nothing is written), 2 for a usage error or a file that cannot be
used at all (missing column, not text).

``import-watchlist FILE --watchlist ID [--dry-run] [--deactivate-missing]`` imports a watchlist
file (the columns above, CSV or XLSX) into the stored watchlist ID: all or nothing, idempotent by
``entry_id`` (``marsad.border.watchlist_import``). It prints the summary. Exit status: 0 when
imported (or checked, with ``--dry-run``), 1 when rows have errors (each is listed; nothing is
written), 2 for a usage error, an unknown watchlist or a file that cannot be used at all.

A new verb is one more ``subcommands.add_parser`` in ``add_arguments`` and one more entry in
``handle``'s table.
"""

import csv
import io
import json
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from marsad.border.models import Watchlist
from marsad.border.mrz import parse
from marsad.border.screening import DEFAULT_THRESHOLD, WatchlistIndex
from marsad.border.screening.files import FileProblem, read_travellers, read_watchlist
from marsad.border.watchlist_import import IMPORT_COLUMNS, watchlist_import

USAGE_ERROR = 2
INVALID = 1
#: The columns of HITS.csv (ARCHITECTURE.md: traveller_id, entry_id, score, the explanation).
HIT_COLUMNS = ("traveller_id", "entry_id", "score", "explanation")
MAX_ROW_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Border management: read and verify the MRZ of passports, identity cards and visas; "
        "screen travellers against a watchlist."
    )
    # call_command("border", "mrz", stdin=io.StringIO(...)) reads from the given stream.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        mrz = subcommands.add_parser(
            "mrz",
            help=(
                "Read an MRZ (2 or 3 lines) from standard input and print its fields, check "
                "digit verdicts and validity as JSON. Exit status 0 when valid, 1 when not, "
                "2 for a usage error."
            ),
        )
        mrz.add_argument(
            "--batch",
            action="store_true",
            help=(
                'Read JSON lines {"mrz": "LINE1\\nLINE2"} (an "id" is copied through) and '
                "write one result a line."
            ),
        )
        mrz.add_argument(
            "--today",
            help=(
                "The date (YYYY-MM-DD) two-digit years are resolved against: a date of birth "
                "is never after it, a date of expiry within 50 years of it (default: today)."
            ),
        )
        mrz.add_argument(
            "--language",
            help="Language of the messages: "
            + ", ".join(code for code, _name in settings.LANGUAGES)
            + f" (default {settings.LANGUAGE_CODE}).",
        )

        screen = subcommands.add_parser(
            "screen",
            help=(
                "Screen travellers against a watchlist and write the hits (traveller_id, "
                "entry_id, score, explanation) to a CSV file."
            ),
        )
        screen.add_argument(
            "--watchlist",
            required=True,
            type=Path,
            help="CSV or XLSX: entry_id, full_name, aliases, birth_date, nationality, "
            "document_number (and optionally reason, action, valid_from, valid_until).",
        )
        screen.add_argument(
            "--travellers",
            required=True,
            type=Path,
            help="CSV or XLSX: traveller_id, surname, given_names, birth_date, nationality, "
            "document_number.",
        )
        screen.add_argument(
            "--output", required=True, type=Path, help="Where to write the hits (CSV, UTF-8)."
        )
        screen.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"Lowest score (0-100) reported as a hit (default {DEFAULT_THRESHOLD}).",
        )
        screen.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Processes screening at once (default 1; the index is shared, not copied).",
        )
        screen.add_argument(
            "--language",
            help="Language of the explanations and messages: "
            + ", ".join(code for code, _name in settings.LANGUAGES)
            + f" (default {settings.LANGUAGE_CODE}).",
        )

        load = subcommands.add_parser(
            "import-watchlist",
            help=(
                "Import a watchlist file (CSV or XLSX) into a stored watchlist: all or nothing, "
                "idempotent by entry_id. Exit status 0 when imported, 1 when rows have errors, "
                "2 for a usage error."
            ),
        )
        load.add_argument(
            "file", type=Path, help="CSV or XLSX with the columns " + ", ".join(IMPORT_COLUMNS)
        )
        load.add_argument(
            "--watchlist", required=True, type=int, help="The id of the watchlist to import into."
        )
        load.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing anything.",
        )
        load.add_argument(
            "--deactivate-missing",
            action="store_true",
            help=(
                "End (yesterday) the validity of the watchlist's entries whose entry_id is not "
                "in the file; they are never deleted."
            ),
        )
        load.add_argument(
            "--language",
            help="Language of the messages: "
            + ", ".join(code for code, _name in settings.LANGUAGES)
            + f" (default {settings.LANGUAGE_CODE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "mrz": self._mrz,
            "screen": self._screen,
            "import-watchlist": self._import_watchlist,
        }
        language = options.get("language") or settings.LANGUAGE_CODE
        if language not in {code for code, _name in settings.LANGUAGES}:
            raise CommandError(
                f"--language takes one of {', '.join(c for c, _n in settings.LANGUAGES)}, "
                f"not {language!r}",
                returncode=USAGE_ERROR,
            )
        with translation.override(language):
            handlers[options["subcommand"]](options)

    # --- mrz --------------------------------------------------------------------------------

    def _mrz(self, options: dict[str, Any]) -> None:
        today = _today(options.get("today"))
        stream = _input(options.get("stdin"))
        if not options["batch"]:
            result = parse(stream.read(), today=today).as_dict()
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            if not result["valid"]:
                raise CommandError(_("the MRZ is not valid; see its errors"), returncode=INVALID)
            return
        total = invalid = 0
        for result in _batch(stream, today):
            total += 1
            invalid += not result["valid"]
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        if invalid:
            raise CommandError(
                _("%(invalid)d of %(total)d MRZs are not valid; see their errors")
                % {"invalid": invalid, "total": total},
                returncode=INVALID,
            )

    # --- screen -----------------------------------------------------------------------------

    def _screen(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        threshold = options["threshold"]
        if not 0 <= threshold <= 100:
            raise CommandError(
                f"--threshold takes a score from 0 to 100, not {threshold:g}",
                returncode=USAGE_ERROR,
            )
        try:
            watchlist = read_watchlist(options["watchlist"])
            travellers = read_travellers(options["travellers"])
        except FileProblem as problem:
            raise CommandError(str(problem), returncode=USAGE_ERROR) from problem
        reports = (watchlist.report, travellers.report)
        errors = [(report.name, error) for report in reports for error in report.errors]
        if errors:
            for name, error in errors[:MAX_ROW_ERRORS]:
                self.stderr.write(f"{name}: {error}")
            if len(errors) > MAX_ROW_ERRORS:
                self.stderr.write(
                    _("… and %(count)d more") % {"count": len(errors) - MAX_ROW_ERRORS}
                )
            raise CommandError(
                _("%(count)d rows cannot be used; nothing was screened") % {"count": len(errors)},
                returncode=INVALID,
            )
        for report in reports:
            if report.missing_columns:
                self.stderr.write(
                    _("%(name)s: no column %(columns)s; treated as empty")
                    % {"name": report.name, "columns": ", ".join(report.missing_columns)}
                )
            if report.ignored_columns:
                self.stderr.write(
                    _("%(name)s: columns ignored: %(columns)s")
                    % {"name": report.name, "columns": ", ".join(report.ignored_columns)}
                )
            if report.malformed_dates:
                shown = ", ".join(str(row) for row, _value in report.malformed_dates[:10])
                more = " …" if len(report.malformed_dates) > 10 else ""
                self.stderr.write(
                    _(
                        "%(name)s: birth dates not YYYY-MM-DD or YYYY, treated as missing, "
                        "on rows %(rows)s"
                    )
                    % {"name": report.name, "rows": shown + more}
                )
        index = WatchlistIndex(watchlist.entries)
        today = date.today()
        hits = 0
        travellers_hit = 0
        try:
            with options["output"].open("w", encoding="utf-8", newline="") as output:
                writer = csv.writer(output)
                writer.writerow(HIT_COLUMNS)
                for _traveller, found in index.screen_many(
                    travellers.travellers,
                    threshold=threshold,
                    on=today,
                    workers=max(1, options["workers"]),
                ):
                    travellers_hit += bool(found)
                    for hit in found:
                        hits += 1
                        writer.writerow(
                            [
                                hit.traveller_id,
                                hit.entry_id,
                                hit.score,
                                hit.explanation.words(),
                            ]
                        )
        except OSError as error:
            raise CommandError(
                f"cannot write {options['output']}: {error.strerror}", returncode=USAGE_ERROR
            ) from error
        malformed = sum(len(report.malformed_dates) for report in reports)
        self.stdout.write(
            _(
                "screened %(travellers)d travellers against %(entries)d watchlist entries in "
                "%(seconds).1f s; hits: %(hits)d (travellers with a hit: %(hit_travellers)d) at "
                "threshold %(threshold)g; malformed birth dates treated as missing: "
                "%(malformed)d; written to %(output)s"
            )
            % {
                "travellers": len(travellers.travellers),
                "entries": len(watchlist.entries),
                "seconds": time.perf_counter() - started,
                "hits": hits,
                "hit_travellers": travellers_hit,
                "threshold": threshold,
                "malformed": malformed,
                "output": options["output"],
            }
        )

    # --- import-watchlist ---------------------------------------------------------------------

    def _import_watchlist(self, options: dict[str, Any]) -> None:
        path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("cannot read %(name)s: %(reason)s") % {"name": path, "reason": error.strerror},
                returncode=USAGE_ERROR,
            ) from error
        watchlist = Watchlist.objects.filter(pk=options["watchlist"]).first()
        if watchlist is None:
            raise CommandError(
                _("there is no watchlist with the id %(id)d") % {"id": options["watchlist"]},
                returncode=USAGE_ERROR,
            )
        report = watchlist_import(
            actor=None,
            watchlist=watchlist,
            content=content,
            filename=path.name,
            dry_run=options["dry_run"],
            deactivate_missing=options["deactivate_missing"],
        )
        if report.problem:
            raise CommandError(report.problem, returncode=USAGE_ERROR)
        if not report.ok:
            for line in report.error_lines():
                self.stderr.write(line)
            raise CommandError(report.error_header, returncode=INVALID)
        self.stdout.write(report.summary)


def _today(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"--today takes a date YYYY-MM-DD, not {text!r}", returncode=USAGE_ERROR
        ) from error


def _input(stream: IO[str] | None) -> IO[str]:
    """Standard input as UTF-8 (a byte-order mark skipped, undecodable bytes shown as U+FFFD so
    that the reader reports them), or the stream the caller gave."""
    if stream is not None:
        return stream
    if hasattr(sys.stdin, "buffer"):
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace")
    return sys.stdin


def _bad_line(number: int, code: str, message: str, record: Any = None) -> dict[str, Any]:
    identifier = {"id": record["id"]} if isinstance(record, dict) and "id" in record else {}
    return {
        **identifier,
        "line": number,
        "format": None,
        "fields": None,
        "checks": None,
        "valid": False,
        "errors": [{"code": code, "message": message}],
        "warnings": [],
        "details": {},
    }


def _batch(lines: Iterable[str], today: date) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield _bad_line(
                number,
                "bad_json",
                _("Input line %(line)d is not JSON (%(reason)s at column %(column)d).")
                % {"line": number, "reason": error.msg, "column": error.colno},
            )
            continue
        if not isinstance(record, dict) or "mrz" not in record:
            yield _bad_line(
                number,
                "no_mrz",
                _('Input line %(line)d is not an object with an "mrz" key.') % {"line": number},
                record,
            )
            continue
        text = record["mrz"]
        if isinstance(text, list) and all(isinstance(part, str) for part in text):
            text = "\n".join(text)
        if not isinstance(text, str):
            yield _bad_line(
                number,
                "bad_mrz",
                _('The "mrz" of input line %(line)d is not text.') % {"line": number},
                record,
            )
            continue
        result = {"line": number, **parse(text, today=today).as_dict()}
        if "id" in record:
            result = {"id": record["id"], **result}
        yield result
