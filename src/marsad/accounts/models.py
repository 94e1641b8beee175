"""Users and their memberships: one role in one organisation, optionally narrowed."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.core.roles import Capability, Role
from marsad.core.scoping import ScopeSpec


class User(AbstractUser):
    """A person who signs in to Marsad. What they may do comes from their memberships."""

    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        blank=True,
        choices=[("en", "English"), ("ar", "العربية"), ("ckb", "کوردی")],
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    scope_spec = ScopeSpec(kind=ScopeSpec.PERSONAL, owner="pk")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]


class RoleChoice(models.TextChoices):
    SYSTEM_ADMIN = Role.SYSTEM_ADMIN.value, _("System administrator")
    PROGRAMME_MANAGER = Role.PROGRAMME_MANAGER.value, _("Programme manager")
    IM_OFFICER = Role.IM_OFFICER.value, _("Information management officer")
    FIELD_MONITOR = Role.FIELD_MONITOR.value, _("Field monitor")
    CASE_WORKER = Role.CASE_WORKER.value, _("Case worker")
    BORDER_OFFICER = Role.BORDER_OFFICER.value, _("Border officer")
    BORDER_SUPERVISOR = Role.BORDER_SUPERVISOR.value, _("Border supervisor")
    PARTNER_REPORTER = Role.PARTNER_REPORTER.value, _("Partner reporter")
    AGGREGATE_VIEWER = Role.AGGREGATE_VIEWER.value, _("Aggregate viewer (donor / public)")


class Membership(models.Model):
    """A user's role in an organisation, optionally narrowed to programmes and admin areas.

    Empty ``programmes`` means every programme the organisation works in; empty ``areas`` means
    everywhere. A narrowed area includes everything below it (a governorate covers its districts).
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=RoleChoice.choices)
    programmes = models.ManyToManyField(
        "partners.Programme",
        verbose_name=_("programmes"),
        blank=True,
        related_name="memberships",
        help_text=_("Leave empty for all programmes."),
    )
    areas = models.ManyToManyField(
        "geo.AdminArea",
        verbose_name=_("areas"),
        blank=True,
        related_name="memberships",
        help_text=_("Leave empty for all areas; an area includes everything below it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="organisation",
        change_capability=Capability.MANAGE_USERS,
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__username", "organisation__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[choice.value for choice in Role]),
                name="membership_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"
