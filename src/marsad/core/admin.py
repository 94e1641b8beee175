"""The Django admin for system administrators, with every list passed through the scope."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from marsad.core import audit
from marsad.core.models import AuditAction, AuditEntry, Sensitivity, TaskRun
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, VIEW, can, has_capability, scope


class MarsadAdminSite(admin.AdminSite):
    site_header = "Marsad"
    site_title = "Marsad"

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and has_capability(request.user, Capability.ADMIN_SITE)


class ScopedAdmin(admin.ModelAdmin):
    """Lists and objects scoped like everywhere else; writes allowed where scope allows them."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return scope(super().get_queryset(request), request.user, VIEW)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if (
            obj is not None
            and getattr(obj, "sensitivity", Sensitivity.NORMAL) != Sensitivity.NORMAL
        ):
            audit.record(actor=request.user, action=AuditAction.READ, instance=obj)
        return obj

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin.site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.site.has_permission(request) and (obj is None or can(request.user, VIEW, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.site.has_permission(request) and (
            obj is None or can(request.user, CHANGE, obj)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return admin.site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save through the services, so the admin is validated, scoped and audited too."""
        from marsad.core import services

        editable = {field.name for field in obj._meta.concrete_fields} | {
            field.name for field in obj._meta.many_to_many
        }
        data = {name: value for name, value in form.cleaned_data.items() if name in editable}
        if change:
            data = {name: value for name, value in data.items() if name in form.changed_data}
            saved = services.record_update(actor=request.user, instance=obj, data=data)
        else:
            saved = services.record_create(actor=request.user, model=type(obj), data=data)
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Many-to-many fields were saved (and audited) by the service; only inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        from marsad.core import services

        services.record_delete(actor=request.user, instance=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log cannot be edited through any door."""

    list_display = [
        "occurred_at",
        "actor_username",
        "action",
        "object_type",
        "object_repr",
        "ip_address",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_repr", "object_id"]
    date_hierarchy = "occurred_at"

    def get_queryset(self, request: HttpRequest) -> Any:
        return scope(super().get_queryset(request), request.user, VIEW)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, Capability.VIEW_AUDIT)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_capability(request.user, Capability.VIEW_AUDIT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TaskRun)
class TaskRunAdmin(ScopedAdmin):
    list_display = [
        "label",
        "kind",
        "status",
        "progress_done",
        "progress_total",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
