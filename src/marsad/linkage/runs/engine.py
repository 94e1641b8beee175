"""Runs of the linkage model over the registry.

A full run prepares every active person, trains a new model version (reviewers' "same"
decisions added to what EM learns), puts it in use, scores every blocked pair, writes the pairs
from the review threshold up, and links the clusters above the auto-link threshold. An
incremental run scores only the given persons against the whole registry with the model in use.
Both respect decisions: a pair decided same or different is never written to again, and two
records a reviewer kept apart are never linked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from marsad.core.roles import Capability
from marsad.core.scoping import has_capability
from marsad.linkage import services
from marsad.linkage.model import PersonLinkage, PreparedRecords, households
from marsad.linkage.model.linkage import training_limit, training_sample
from marsad.linkage.model.notes import Note
from marsad.linkage.models import (
    CandidatePair,
    LinkageRun,
    ModelVersion,
    PairStatus,
    PendingMatch,
    RunKind,
    RunStatus,
)
from marsad.linkage.runs.autolink import AutoLinkResult, auto_link
from marsad.linkage.runs.incremental import IncrementalLinkage, tf_columns
from marsad.linkage.runs.labels import apply_labels, same_pair_evidence
from marsad.linkage.runs.lock import one_run_at_a_time
from marsad.linkage.runs.pairs import WriteResult, pairs_query, read_pairs, write_pairs
from marsad.linkage.runs.snapshot import (
    Snapshot,
    frequencies_path,
    registry_snapshot,
    write_snapshot_frequencies,
    write_term_frequencies,
)

logger = logging.getLogger(__name__)

#: ``progress(done, total, message)``: the task page's callback, or the command's printer.
Progress = Callable[..., None]

FULL_STEPS = 6
INCREMENTAL_STEPS = 4


def thresholds() -> tuple[float, float]:
    """(auto-link, review) from the settings; the review threshold never above auto-link."""
    auto = float(settings.MARSAD_LINKAGE_AUTO_LINK)
    review = min(float(settings.MARSAD_LINKAGE_REVIEW), auto)
    return auto, review


def check_may_train(actor: Any) -> None:
    """Only those who choose the model in use may train one (a full run puts it in use)."""
    if actor is not None and not has_capability(actor, Capability.CHANGE_REFERENCE):
        raise PermissionDenied(
            _("Only IM officers and system administrators run record linkage over the registry.")
        )


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _plain(error: BaseException) -> str:
    text = str(error).strip().split("\n", 1)[0]
    return text or type(error).__name__


class _Steps:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def __call__(self, message: str) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total, message)
        self.done += 1

    def detail(self, message: str) -> None:
        if self.progress is not None:
            self.progress(max(self.done - 1, 0), self.total, message)


def _linkage(snapshot: Snapshot, model: dict[str, Any] | None = None) -> PersonLinkage:
    prepared = PreparedRecords(table=snapshot.table, record_count=snapshot.record_count)
    return PersonLinkage(prepared, model=model)


def _training_linkage(snapshot: Snapshot) -> tuple[PersonLinkage, int]:
    """A linkage over at most ``MARSAD_LINKAGE_TRAINING_SAMPLE`` persons drawn at random
    (``marsad.linkage.model.training_sample``: the same sample the black-box command draws)."""
    prepared = PreparedRecords(table=snapshot.table, record_count=snapshot.record_count)
    sample = training_sample(prepared, limit=training_limit())
    return PersonLinkage(sample), sample.record_count


def _write_and_link(
    run: LinkageRun,
    version: ModelVersion,
    linkage: PersonLinkage,
    predictions_table: str,
    steps: _Steps,
    *,
    withdraw: bool,
) -> tuple[WriteResult, AutoLinkResult]:
    steps(_("Writing the candidate pairs"))
    # Splink scored from a lower floor, so that a pair the household evidence lifts is there
    scored = linkage.with_households(predictions_table, minimum=version.review_threshold)
    rows = linkage.execute(
        pairs_query(version.model, scored, minimum=version.review_threshold, households=True)
    )
    written = write_pairs(
        run=run,
        pairs=read_pairs(version.model, rows),
        withdraw_before=run.created_at if withdraw else None,
    )
    steps(_("Linking the clusters above the auto-link threshold"))
    linked = auto_link(run=run, threshold=version.auto_link_threshold, progress=steps.detail)
    return written, linked


def _finish(
    run: LinkageRun,
    started: float,
    written: WriteResult | None,
    linked: AutoLinkResult | None,
    notes: list[str],
) -> LinkageRun:
    lines = list(notes)
    if written is not None:
        if written.kept_decided:
            lines.append(
                _("%(count)d pairs already decided same or different were left as decided")
                % {"count": written.kept_decided}
            )
        if written.withdrawn:
            lines.append(
                _(
                    "%(count)d pairs waiting for review were withdrawn: the new model scores "
                    "them below the review threshold"
                )
                % {"count": written.withdrawn}
            )
    if linked is not None:
        if linked.merges:
            lines.append(
                _("%(merges)d records merged into %(survivors)d survivors")
                % {"merges": linked.merges, "survivors": linked.clusters}
            )
        if linked.household_merges:
            lines.append(
                _(
                    "%(count)d households left without members of their own were merged into "
                    "the households their members live on in"
                )
                % {"count": linked.household_merges}
            )
        if linked.held_for_review:
            lines.append(
                _(
                    "%(count)d pairs above the auto-link threshold were sent to review: a "
                    "reviewer kept two of their records apart, someone undid their merge, or "
                    "the merge was refused"
                )
                % {"count": linked.held_for_review}
            )
        lines += linked.problems[:20]
        run.auto_linked = linked.linked_pairs
    run.to_review = CandidatePair.objects.filter(run=run, status=PairStatus.REVIEW).count()
    run.status = RunStatus.FINISHED
    run.seconds = round(time.monotonic() - started, 3)
    run.message = "\n".join(lines)
    run.save()
    return run


def translated(note: str) -> str:
    """A training note in the active language (``linkage.model.notes``); other text as it is."""
    return note.translated(_) if isinstance(note, Note) else note


def _failed(run: LinkageRun, started: float, error: BaseException) -> LinkageRun:
    logger.exception("Linkage run %s failed", run.pk)
    run.status = RunStatus.FAILED
    run.seconds = round(time.monotonic() - started, 3)
    run.message = _("The run failed: %(error)s") % {"error": _plain(error)}
    run.save()
    return run


def _waiting(progress: Progress | None) -> Callable[[str], None] | None:
    if progress is None:
        return None
    return lambda message: progress(0, None, message)


def run_full(
    *, actor: Any, progress: Progress | None = None, task_id: str | None = None
) -> LinkageRun:
    """Train a new model on every active person, put it in use, score the whole registry,
    write the candidate pairs and link the clusters above the auto-link threshold; after any
    run in progress (``lock``).

    Raises PermissionDenied (before anything is written) for a user who may not choose the
    model; any other failure is recorded on the returned run (status failed, a plain message).
    """
    check_may_train(actor)
    with one_run_at_a_time(_waiting(progress)):
        return _run_full(actor=actor, progress=progress, task_id=task_id)


def _run_full(*, actor: Any, progress: Progress | None, task_id: str | None) -> LinkageRun:
    run = LinkageRun.objects.create(kind=RunKind.FULL, started_by=_user(actor), task_id=task_id)
    started = time.monotonic()
    steps = _Steps(progress, FULL_STEPS)
    try:
        steps(_("Reading the registry"))
        snapshot = registry_snapshot(rebuild=True, progress=steps.detail)
        run.records = snapshot.record_count
        if snapshot.record_count < 2:
            return _finish(run, started, None, None, [_("fewer than two active persons: no run")])
        steps(_("Training a new model"))
        trainer, trained_on = _training_linkage(snapshot)
        report = trainer.train()
        model = trainer.model()
        del trainer  # its DuckDB database goes before the whole registry's comes
        labelled = same_pair_evidence()
        notes = (
            [_("u by random sampling, m by expectation maximisation")]
            if report.expectation_maximisation
            else [_("default m and u probabilities (too few records to train on)")]
        )
        if trained_on < snapshot.record_count:
            notes.append(
                _("trained on a random sample of %(sample)d of the %(count)d active persons")
                % {"sample": trained_on, "count": snapshot.record_count}
            )
        notes += [translated(note) for note in report.notes + apply_labels(model, labelled)]
        if labelled:
            notes.append(
                _("m probabilities updated with %(count)d pairs reviewed as same")
                % {"count": len(labelled)}
            )
        linkage = _linkage(snapshot, model)
        auto, review = thresholds()
        with transaction.atomic():
            latest = ModelVersion.objects.aggregate(latest=Max("version"))["latest"] or 0
            version = ModelVersion.objects.create(
                version=latest + 1,
                model=model,
                auto_link_threshold=auto,
                review_threshold=review,
                records=trained_on,
                labels=len(labelled),
                notes="\n".join(notes),
                trained_by=_user(actor),
            )
            services.model_activate(actor=actor, model=version)
            run.model = version
            run.save(update_fields=["model", "records", "updated_at"])
        write_term_frequencies(snapshot.table, tf_columns(model))
        steps(_("Scoring every blocked pair"))
        run.pairs_scored = linkage.blocked_pair_count()
        # from a floor under the review threshold: the household evidence may lift a pair
        predictions = linkage.predict(minimum=households.floor(review))
        written, linked = _write_and_link(
            run, version, linkage, predictions.physical_name, steps, withdraw=True
        )
        PendingMatch.objects.filter(created_at__lte=snapshot.taken_at).delete()
        if linked.merges:
            del linkage, predictions, snapshot  # the whole registry leaves memory
            _refresh_after_links(steps)
        steps(_("Finished"))
        return _finish(run, started, written, linked, [])
    except Exception as error:  # the run records any failure; the task marks itself failed
        return _failed(run, started, error)


def _refresh_after_links(steps: _Steps) -> None:
    """Bring the kept registry up to the merges the run has just made (survivors changed,
    merged records gone), so that the next incremental run prepares only the persons
    registered or edited after it. A failure costs nothing but time: that run would."""
    try:
        registry_snapshot(progress=steps.detail)
    except Exception:
        logger.exception("The prepared registry was not brought up to date after a full run")


def run_incremental(
    *,
    actor: Any,
    person_ids: Iterable[int],
    progress: Progress | None = None,
    task_id: str | None = None,
) -> LinkageRun | None:
    """Match ``person_ids`` (new registrations) against the whole registry with the model in
    use: write their candidate pairs and link their clusters above the auto-link threshold;
    after any run in progress (``lock``). Nothing is trained. Returns None, and does nothing,
    when no model is in use."""
    with one_run_at_a_time(_waiting(progress)):
        return _run_incremental(
            actor=actor, person_ids=person_ids, progress=progress, task_id=task_id
        )


def _run_incremental(
    *,
    actor: Any,
    person_ids: Iterable[int],
    progress: Progress | None,
    task_id: str | None,
) -> LinkageRun | None:
    version = ModelVersion.objects.filter(is_active=True).first()
    if version is None:
        return None
    ids = sorted({int(pk) for pk in person_ids})
    run = LinkageRun.objects.create(
        kind=RunKind.INCREMENTAL, model=version, started_by=_user(actor), task_id=task_id
    )
    started = time.monotonic()
    steps = _Steps(progress, INCREMENTAL_STEPS)
    try:
        steps(_("Reading the registry"))
        snapshot = registry_snapshot(refresh_ids=ids, progress=steps.detail)
        linkage = IncrementalLinkage(snapshot, version.model, ids)
        run.records = linkage.new_count
        if not run.records:
            PendingMatch.objects.filter(person_id__in=ids).delete()
            return _finish(run, started, None, None, ["none of these persons is active"])
        steps(_("Scoring the new records against the registry"))
        predictions = linkage.predict()
        run.pairs_scored = linkage.execute(
            f"SELECT count(DISTINCT (least(record_id_l, record_id_r), "  # noqa: S608
            f"greatest(record_id_l, record_id_r))) FROM {predictions.physical_name} "
            f"WHERE record_id_l <> record_id_r"
        )[0][0]
        written, linked = _write_and_link(
            run, version, linkage, predictions.physical_name, steps, withdraw=False
        )
        if not frequencies_path().exists():
            write_snapshot_frequencies(snapshot, tf_columns(version.model))
        PendingMatch.objects.filter(person_id__in=ids).delete()
        steps(_("Finished"))
        return _finish(run, started, written, linked, [])
    except Exception as error:  # the run records any failure; the task marks itself failed
        return _failed(run, started, error)


def summary(run: LinkageRun) -> str:
    """What a run did, in a few plain lines: for the runs page, the task page and the
    command line."""
    lines = [
        _(
            "%(kind)s, %(status)s: %(records)d records, %(pairs)d pairs scored, %(linked)d pairs "
            "linked automatically, %(review)d pairs waiting for review."
        )
        % {
            "kind": run.get_kind_display(),
            "status": run.get_status_display().lower(),
            "records": run.records,
            "pairs": run.pairs_scored,
            "linked": run.auto_linked,
            "review": run.to_review,
        }
    ]
    if run.model_id is not None:
        lines.append(_("Model: v%(version)d.") % {"version": run.model.version})
    if run.seconds is not None:
        lines.append(_("Took %(seconds).1f seconds.") % {"seconds": run.seconds})
    if run.message:
        lines.append(run.message)
    return "\n".join(lines)
