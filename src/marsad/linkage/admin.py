"""Back-office view of linkage: models, runs and pairs, read only (decisions are made on the
review pages or through the API, so merges and the audit log follow)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from marsad.core.admin import ScopedAdmin
from marsad.linkage.models import CandidatePair, LinkageRun, ModelVersion


class _ReadOnly(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(_ReadOnly):
    list_display = ["version", "is_active", "auto_link_threshold", "review_threshold", "records"]


@admin.register(LinkageRun)
class LinkageRunAdmin(_ReadOnly):
    list_display = ["created_at", "kind", "status", "records", "auto_linked", "to_review"]
    list_filter = ["kind", "status"]


@admin.register(CandidatePair)
class CandidatePairAdmin(_ReadOnly):
    list_display = ["left", "right", "match_probability", "status", "decided_by"]
    list_filter = ["status"]
