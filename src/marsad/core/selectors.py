"""Reads for the audit log and task runs, always through the scope."""

from datetime import date, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from marsad.core.models import AuditEntry, TaskRun
from marsad.core.scoping import VIEW, scope


def audit_entries(
    *,
    user: Any,
    query: str = "",
    action: str = "",
    object_type: str = "",
    actor: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit rows ``user`` may read, filtered; ``query`` searches object, actor and id."""
    entries = scope(AuditEntry.objects.all(), user, VIEW)
    if query:
        entries = entries.filter(
            Q(object_repr__icontains=query)
            | Q(actor_username__icontains=query)
            | Q(object_id=query)
        )
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if actor:
        entries = entries.filter(actor_username__iexact=actor)
    zone = timezone.get_current_timezone()
    if since:
        entries = entries.filter(occurred_at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        entries = entries.filter(occurred_at__lte=datetime.combine(until, time.max, tzinfo=zone))
    return entries


def audit_object_types(*, user: Any) -> list[str]:
    return list(
        scope(AuditEntry.objects.all(), user, VIEW)
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )


def task_runs(*, user: Any) -> QuerySet[TaskRun]:
    return scope(TaskRun.objects.select_related("created_by"), user, VIEW)
