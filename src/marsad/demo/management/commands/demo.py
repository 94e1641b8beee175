"""``marsad demo``: migrate, load reference and demo data, start the worker and serve.

Every step is idempotent, so running it again adds nothing twice.
"""

import importlib.util
import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from marsad.assistance.demo import load_demo_assistance
from marsad.border.demo import load_demo_border
from marsad.demo.users import DEMO_PASSWORD, ensure_demo_contacts, ensure_demo_users
from marsad.displacement.demo import load_demo_rounds
from marsad.registry.demo import load_demo_registry


def run_demo_linkage(*, registered: int) -> str:
    """A full linkage run over the demo registry, so the review queue has pairs to decide.
    Skipped when the registry has not changed since a finished full run (a second ``marsad
    demo`` adds nothing), or while the linkage runs module is not installed."""
    if importlib.util.find_spec("marsad.linkage.runs") is None:
        return "skipped: linkage runs (marsad.linkage.runs) are not available in this version"
    from marsad.linkage import runs
    from marsad.linkage.models import LinkageRun, RunKind, RunStatus

    finished = LinkageRun.objects.filter(kind=RunKind.FULL, status=RunStatus.FINISHED)
    if finished.exists() and not registered:
        return "a full run exists"
    run = runs.run_full(actor=None, progress=_quiet)
    return (
        f"full run: {run.records} records, {run.pairs_scored} pairs scored, "
        f"{run.auto_linked} linked automatically, {run.to_review} sent to review"
    )


def _quiet(*args: Any, **kwargs: Any) -> None:
    """Progress of a demo linkage run: not shown."""


class Command(BaseCommand):
    help = "Set up Marsad with demo data on this machine's database, start the worker and serve."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--port",
            default=os.environ.get("PORT", "8000"),
            help="Port to serve on (default: $PORT or 8000).",
        )
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Only prepare the database and demo data; do not start the worker or server.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("Preparing the database"))
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.MIGRATE_HEADING("Loading reference data"))
        call_command("geo", "load-reference", stdout=self.stdout)
        call_command("partners", "load-demo", stdout=self.stdout)
        self.stdout.write(self.style.MIGRATE_HEADING("Demo users and focal points"))
        results = ensure_demo_users(stdout=self.stdout)
        contacts = ensure_demo_contacts()
        self.stdout.write(f"  {contacts} focal point(s) added")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo assessment rounds"))
        for line in load_demo_rounds():
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo household registry"))
        _lines, registered = load_demo_registry(stdout=self.stdout)
        self.stdout.write(f"  record linkage: {run_demo_linkage(registered=registered)}")
        # On the registry, after linkage: selections and receipts follow its links.
        self.stdout.write(self.style.MIGRATE_HEADING("Demo vulnerability criteria and assistance"))
        for line in load_demo_assistance():
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo border data"))
        for line in load_demo_border():
            self.stdout.write(f"  {line}")
        self._print_logins(results, options)
        if options["no_serve"]:
            return
        worker = self._start_worker()
        try:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

    def _print_logins(self, results: list, options: dict) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins"))
        self.stdout.write(f"  Every demo user's password: {DEMO_PASSWORD}")
        for spec, created in results:
            narrowed = ""
            if spec.programmes:
                narrowed += f" programmes {', '.join(spec.programmes)}"
            if spec.areas:
                narrowed += f" areas {', '.join(spec.areas)}"
            state = "created" if created else "exists"
            self.stdout.write(
                f"  {spec.username:<16} {spec.role:<18} @ {spec.organisation}{narrowed} ({state})"
            )
        if not options["no_serve"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nMarsad is starting on http://{options['host']}:{options['port']}/ "
                    "(Ctrl-C stops it and the worker)."
                )
            )

    def _start_worker(self) -> subprocess.Popen:
        self.stdout.write("Starting the background worker (marsad db_worker)")
        return subprocess.Popen(
            [sys.executable, "-m", "marsad.cli", "db_worker", "--interval", "1", "--no-reload"],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "marsad.settings"},
        )
