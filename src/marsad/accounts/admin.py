"""Back-office maintenance of users and memberships: scoped, and audited like every other door
(a user's before/after never holds the password hash — only "password changed")."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from marsad.accounts import services
from marsad.accounts.models import Membership, User
from marsad.core.admin import ScopedAdmin
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, VIEW, can, has_capability, scope


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "preferred_language"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal information"),
            {"fields": ("first_name", "last_name", "email", "phone", "preferred_language")},
        ),
        (
            _("Status"),
            {
                "fields": ("is_active", "is_staff", "is_superuser"),
                "description": _(
                    "What a user may do comes from their memberships (roles in organisations), "
                    "not from these flags. Deactivate a user rather than deleting them."
                ),
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "password1",
                    "password2",
                    "first_name",
                    "last_name",
                    "email",
                    "preferred_language",
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return scope(super().get_queryset(request), request.user, VIEW)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            readonly.append("is_superuser")  # only a superuser makes another
        return readonly

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin.site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.site.has_permission(request) and (obj is None or can(request.user, VIEW, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (
            admin.site.has_permission(request)
            and has_capability(request.user, Capability.MANAGE_USERS)
            and (obj is None or can(request.user, CHANGE, obj))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return admin.site.has_permission(request) and has_capability(
            request.user, Capability.MANAGE_USERS
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Users are deactivated, never deleted, so that the audit trail keeps its meaning.
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save, then audit before/after in the same transaction (no password hash)."""
        with transaction.atomic():
            before = services.user_snapshot(User.objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            services.user_change_recorded(
                actor=request.user, user=obj, before=before, password_changed=not change
            )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's password form saves by itself; audit a successful change as such."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=unquote(id))
                services.user_change_recorded(
                    actor=request.user,
                    user=user,
                    before=services.user_snapshot(user),
                    password_changed=True,
                )
        return response


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "organisation", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organisation__code"]
    list_select_related = ["user", "organisation"]
    # Areas are many (every location of the country): searched, not listed in a selector.
    autocomplete_fields = ["user", "organisation", "areas"]
    filter_horizontal = ["programmes"]
    readonly_fields = ["created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and has_capability(
            request.user, Capability.MANAGE_USERS
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Through the membership services (audited; a revoked role is restored, not doubled)."""
        data = {
            name: value
            for name, value in form.cleaned_data.items()
            if name in {"user", "organisation", "role", "programmes", "areas", "is_active"}
        }
        if change:
            data = {name: value for name, value in data.items() if name in form.changed_data}
            saved = services.membership_update(
                actor=request.user, instance=Membership.objects.get(pk=obj.pk), data=data
            )
        else:
            saved = services.membership_create(actor=request.user, data=data)
            if data.get("is_active") is False:
                saved = services.membership_revoke(actor=request.user, membership=saved)
        obj.pk = saved.pk
        obj._state.adding = False
