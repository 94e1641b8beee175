"""``marsad linkage dedupe INPUT.csv --output DIR``: find the same person across registers.

The black-box interface of ARCHITECTURE.md: person records in, ``clusters.csv`` (every record with
its cluster) and ``pairs.csv`` (scored pairs with the evidence for each field) out, plus the
trained ``model.json``. Later verbs (matching new records against the registry, review exports)
join ``dedupe`` as further subcommands.
"""

import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marsad.linkage.dedupe import (
    DEFAULT_REVIEW_THRESHOLD,
    DEFAULT_THRESHOLD,
    InputError,
    run_dedupe,
)


class Command(BaseCommand):
    help = "Record linkage between person records: dedupe a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        dedupe = subcommands.add_parser(
            "dedupe",
            help=(
                "Cluster the records of one CSV file that are the same person; write "
                "clusters.csv, pairs.csv and model.json to --output."
            ),
        )
        dedupe.add_argument(
            "input",
            help=(
                "CSV with record_id, source, given_name, father_name, grandfather_name, "
                "family_name, mother_name, sex, birth_date, phone, national_id, origin_pcode "
                "(UTF-8 or Windows-1256)."
            ),
        )
        dedupe.add_argument("--output", required=True, help="Directory to write the results to.")
        dedupe.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=(
                f"Match probability at which two records are linked (default {DEFAULT_THRESHOLD})."
            ),
        )
        dedupe.add_argument(
            "--review-threshold",
            type=float,
            default=DEFAULT_REVIEW_THRESHOLD,
            help=(
                "Pairs from this match probability up are written to pairs.csv; those below "
                f"--threshold for clerical review (default {DEFAULT_REVIEW_THRESHOLD})."
            ),
        )
        dedupe.add_argument(
            "--model", help="A model.json from an earlier run: score with it instead of training."
        )
        dedupe.add_argument(
            "--seed", type=int, default=42, help="Seed of the random sampling (default 42)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "dedupe":
            self._dedupe(options)

    def _dedupe(self, options: dict[str, Any]) -> None:
        try:
            summary = run_dedupe(
                Path(options["input"]),
                Path(options["output"]),
                threshold=options["threshold"],
                review_threshold=options["review_threshold"],
                model_path=Path(options["model"]) if options["model"] else None,
                seed=options["seed"],
                # Splink's own progress and training messages at -v 2 and above
                log_level=logging.INFO if options["verbosity"] >= 2 else logging.ERROR,
            )
        except InputError as error:
            raise CommandError(str(error)) from error
        for line in summary.lines():
            self.stdout.write(line)
