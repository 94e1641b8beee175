"""The scoped viewset base every API endpoint builds on (pagination: core.pagination, errors:
core.errors)."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions, viewsets
from rest_framework.permissions import BasePermission

from marsad.core import audit, services
from marsad.core.models import AuditAction, Sensitivity
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, VIEW, can, has_capability, scope


class HasCapability(BasePermission):
    """Grants access when the view's ``required_capability`` (if any) is held."""

    message = _("Your role does not give access to this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        required = getattr(view, "required_capability", None)
        if not request.user or not request.user.is_authenticated:
            return False
        return required is None or has_capability(request.user, required)


class ScopedViewSetMixin:
    """Lists and objects come from ``scope``; writes go through the services layer.

    Subclasses set ``queryset`` (the base, with its joins named) and optionally the service
    functions ``create_service``/``update_service``/``delete_service`` (defaults: the generic
    record services) and ``required_capability``.
    """

    permission_classes = [HasCapability]
    required_capability: Capability | None = None
    create_service: Callable[..., Any] | None = None
    update_service: Callable[..., Any] | None = None
    delete_service: Callable[..., Any] | None = None

    def get_queryset(self) -> QuerySet:
        return scope(super().get_queryset(), self.request.user, VIEW)

    def get_object(self) -> Any:
        instance = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not can(
            self.request.user, CHANGE, instance
        ):
            raise exceptions.PermissionDenied(_("You may see this record but not change it."))
        if getattr(instance, "sensitivity", Sensitivity.NORMAL) != Sensitivity.NORMAL:
            audit.record(actor=self.request.user, action=AuditAction.READ, instance=instance)
        return instance

    def perform_create(self, serializer: Any) -> None:
        create = self.create_service or (
            lambda *, actor, data: services.record_create(
                actor=actor, model=serializer.Meta.model, data=data
            )
        )
        serializer.instance = create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        update = self.update_service or services.record_update
        serializer.instance = update(
            actor=self.request.user, instance=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        delete = self.delete_service or services.record_delete
        delete(actor=self.request.user, instance=instance)


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
