"""REST API for the audit log (system administrators) and background task runs (their owners)."""

import django_filters
from rest_framework import serializers

from marsad.core.api import ScopedReadOnlyViewSet
from marsad.core.models import AuditAction, AuditEntry, TaskRun
from marsad.core.roles import Capability


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "occurred_at",
            "actor_username",
            "ip_address",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "organisation_id",
            "changes",
            "context",
        ]
        read_only_fields = fields


class AuditEntryFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    actor = django_filters.CharFilter(field_name="actor_username", lookup_expr="iexact")
    since = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte")

    class Meta:
        model = AuditEntry
        fields = ["action", "object_type", "object_id", "actor", "since", "until"]


class AuditEntryViewSet(ScopedReadOnlyViewSet):
    """The append-only audit log: who did what, when, from where, with before/after values."""

    queryset = AuditEntry.objects.all()
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter
    search_fields = ["object_repr", "actor_username", "object_id"]
    ordering_fields = ["occurred_at", "id"]
    required_capability = Capability.VIEW_AUDIT


class TaskRunSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True, allow_null=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TaskRun
        fields = [
            "id",
            "kind",
            "label",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "result",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class TaskRunViewSet(ScopedReadOnlyViewSet):
    """Background work you started (system administrators see everyone's), with progress."""

    queryset = TaskRun.objects.select_related("created_by")
    serializer_class = TaskRunSerializer
    filterset_fields = ["status", "kind"]
    ordering_fields = ["created_at"]


ROUTES = [
    ("audit", AuditEntryViewSet, "audit"),
    ("tasks", TaskRunViewSet, "task"),
]
