"""``marsad linkage``: find the same person across registers.

``dedupe INPUT.csv --output DIR`` is the black-box interface of ARCHITECTURE.md: person records
in, ``clusters.csv`` (every record with its cluster) and ``pairs.csv`` (scored pairs with the
evidence for each field) out, plus the trained ``model.json``; ``--engine spark`` runs the same
model (``--model`` file or ``--model-version`` of the registry) on Spark.

The other verbs work on the registry: ``run`` (a full run: trains a new model version, puts it
in use, writes candidate pairs and links clusters), ``match`` (an incremental run for some
persons), ``models`` (the versions, the one in use marked) and ``activate VERSION``.
"""

import logging
from datetime import datetime, time
from pathlib import Path
from time import monotonic
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from marsad.linkage.dedupe import (
    DEFAULT_REVIEW_THRESHOLD,
    DEFAULT_THRESHOLD,
    ENGINES,
    InputError,
    run_dedupe,
)
from marsad.linkage.model.spark import SparkUnavailable


class Command(BaseCommand):
    help = (
        "Record linkage between person records: dedupe a CSV file, or run the model over the "
        "registry."
    )

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
        saved = dedupe.add_mutually_exclusive_group()
        saved.add_argument(
            "--model", help="A model.json from an earlier run: score with it instead of training."
        )
        saved.add_argument(
            "--model-version",
            type=int,
            metavar="VERSION",
            help=(
                "A model version of the registry (see `marsad linkage models`): score with it "
                "instead of training."
            ),
        )
        dedupe.add_argument(
            "--seed", type=int, default=42, help="Seed of the random sampling (default 42)."
        )
        dedupe.add_argument(
            "--engine",
            choices=ENGINES,
            default="duckdb",
            help=(
                "Where the model runs: duckdb (embedded, the default) or spark (the same model "
                "on Spark, for files one machine cannot hold; needs pyspark and Java 17 or later)."
            ),
        )
        dedupe.add_argument(
            "--spark-master",
            metavar="URL",
            help=(
                "With --engine spark: the Spark master to start a session on, local[N] for N "
                "cores of this machine or a cluster's URL such as spark://host:7077 (default "
                "local[*], every core of this machine)."
            ),
        )

        subcommands.add_parser(
            "run",
            help=(
                "Full run over the registry: train a new model version on every active person, "
                "put it in use, write the candidate pairs and link clusters above the "
                "auto-link threshold."
            ),
        )
        match = subcommands.add_parser(
            "match",
            help="Match some persons against the registry with the model in use (no training).",
        )
        chosen = match.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--persons", help="Person IDs, comma-separated: 12,15,40.")
        chosen.add_argument(
            "--since",
            help="Every active person registered at or after this date or time "
            "(2026-05-01 or 2026-05-01T08:00).",
        )
        subcommands.add_parser("models", help="List the model versions; * marks the one in use.")
        activate = subcommands.add_parser("activate", help="Put a model version in use.")
        activate.add_argument("version", type=int, help="The version number, as `models` lists.")

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "dedupe": self._dedupe,
            "run": self._run,
            "match": self._match,
            "models": self._models,
            "activate": self._activate,
        }
        handlers[options["subcommand"]](options)

    def _progress(self, options: dict[str, Any]) -> Any:
        """Progress lines on standard error, each with the seconds since the start."""
        if options["verbosity"] < 1:
            return None
        started = monotonic()

        def show(done: int, total: int | None = None, message: str = "", **_: Any) -> None:
            if message:
                step = f"[{done}/{total}] " if total else ""
                self.stderr.write(f"{step}{monotonic() - started:7.1f}s  {message}")

        return show

    def _report(self, run: Any) -> None:
        from marsad.linkage.models import RunStatus
        from marsad.linkage.runs import summary

        for line in summary(run).splitlines():
            self.stdout.write(line)
        if run.status == RunStatus.FAILED:
            raise CommandError(run.message)

    def _run(self, options: dict[str, Any]) -> None:
        from marsad.linkage.runs import run_full

        self._report(run_full(actor=None, progress=self._progress(options)))

    def _match(self, options: dict[str, Any]) -> None:
        from marsad.linkage.runs import run_incremental
        from marsad.registry.models import Person

        if options["persons"]:
            try:
                ids = [int(part) for part in options["persons"].split(",") if part.strip()]
            except ValueError as error:
                raise CommandError(
                    f"--persons takes person IDs separated by commas, not {options['persons']!r}"
                ) from error
        else:
            since = _moment(options["since"])
            ids = list(
                Person.objects.filter(is_active=True, created_at__gte=since).values_list(
                    "pk", flat=True
                )
            )
        if not ids:
            self.stdout.write("no persons to match")
            return
        run = run_incremental(actor=None, person_ids=ids, progress=self._progress(options))
        if run is None:
            raise CommandError("no linkage model is in use: run `marsad linkage run` first")
        self._report(run)

    def _models(self, options: dict[str, Any]) -> None:
        from marsad.linkage.models import ModelVersion

        versions = ModelVersion.objects.order_by("version")
        if not versions:
            self.stdout.write("no model trained yet: run `marsad linkage run`")
            return
        for version in versions:
            mark = "*" if version.is_active else " "
            self.stdout.write(
                f"{mark} v{version.version}  {version.created_at:%Y-%m-%d %H:%M}  "
                f"{version.records} records, {version.labels} reviewed pairs  "
                f"auto-link {version.auto_link_threshold:g}, review {version.review_threshold:g}"
            )

    def _activate(self, options: dict[str, Any]) -> None:
        from marsad.linkage import services
        from marsad.linkage.models import ModelVersion

        version = ModelVersion.objects.filter(version=options["version"]).first()
        if version is None:
            raise CommandError(
                f"there is no model v{options['version']}; see `marsad linkage models`"
            )
        services.model_activate(actor=None, model=version)
        self.stdout.write(f"v{version.version} is now in use")

    def _dedupe(self, options: dict[str, Any]) -> None:
        model = model_name = None
        if options["model_version"] is not None:
            from marsad.linkage.models import ModelVersion

            version = ModelVersion.objects.filter(version=options["model_version"]).first()
            if version is None:
                raise CommandError(
                    f"there is no model v{options['model_version']}; see `marsad linkage models`"
                )
            model, model_name = version.model, f"v{version.version} from the registry"
        try:
            summary = run_dedupe(
                Path(options["input"]),
                Path(options["output"]),
                threshold=options["threshold"],
                review_threshold=options["review_threshold"],
                model_path=Path(options["model"]) if options["model"] else None,
                model=model,
                model_name=model_name,
                seed=options["seed"],
                engine=options["engine"],
                spark_master=options["spark_master"],
                # Splink's own progress and training messages at -v 2 and above
                log_level=logging.INFO if options["verbosity"] >= 2 else logging.ERROR,
            )
        except (InputError, SparkUnavailable) as error:
            raise CommandError(str(error)) from error
        for line in summary.lines():
            self.stdout.write(line)


def _moment(text: str) -> datetime:
    """A date (midnight) or a date and time, in the current time zone unless it says one."""
    try:
        parsed = parse_datetime(text or "")
        day = None if parsed else parse_date(text or "")
    except ValueError:
        parsed = day = None
    if parsed is None:
        if day is None:
            raise CommandError(f"--since takes a date or a date and time, not {text!r}")
        parsed = datetime.combine(day, time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed
