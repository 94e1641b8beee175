"""Cross-cutting models: the base for scoped records, the append-only audit log, task runs."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.core.localise import localised
from marsad.core.scoping import ScopeSpec
from marsad.core.task_results import Fact, result_facts


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    RESTRICTED = "restricted", _("Restricted")
    CONFIDENTIAL = "confidential", _("Confidential")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class LocalisedNameMixin(models.Model):
    """English, Arabic and Kurdish names, and the one to show in the active language."""

    name_en = models.CharField(_("name (English)"), max_length=255)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255, blank=True)
    name_ku = models.CharField(_("name (Kurdish)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_ar, self.name_ku)


class ScopedRecord(TimeStampedModel):
    """A record owned by an organisation, optionally within a programme and an admin area.

    Subclasses keep the default ``scope_spec`` or declare their own; ``core.scoping.scope``
    reads it to filter every queryset.
    """

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s_set",
    )
    programme = models.ForeignKey(
        "partners.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(app_label)s_%(class)s_set",
    )
    area = models.ForeignKey(
        "geo.AdminArea",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(app_label)s_%(class)s_set",
    )
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.NORMAL,
        help_text=_(
            "Restricted and confidential records are shown only to roles cleared for them."
        ),
    )

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="organisation",
        programme="programme",
        area="area",
        sensitivity="sensitivity",
    )

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    MERGE = "merge", _("Merged")
    UNMERGE = "unmerge", _("Unmerged")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    READ = "read", _("Read restricted record")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    LOCKED_OUT = "locked_out", _("Locked out")
    TASK = "task", _("Background task")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only; its rows cannot be updated.")

    def delete(self):
        raise PermissionError("The audit log is append-only; its rows cannot be deleted.")


class AuditEntry(models.Model):
    """One row of the append-only audit log.

    The actor is kept by id and name without a database foreign key, so deleting or renaming
    a user never rewrites history. Database triggers (see the migration) refuse UPDATE, and on
    PostgreSQL DELETE as well, so no door — admin, shell, SQL client — can edit the log.
    """

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("actor user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    # Both are looked up through the (object_type, object_id, occurred_at) index below; their own
    # single-column indexes (and Django's LIKE twins) only slowed every write, bulk imports most.
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    organisation_id = models.BigIntegerField(_("organisation id"), null=True, blank=True)
    changes = models.JSONField(
        _("changes"),
        default=dict,
        blank=True,
        help_text=_("Changed fields as {field: [before, after]}."),
    )
    context = models.JSONField(_("context"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    scope_spec = ScopeSpec(kind=ScopeSpec.AUDIT)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"])]

    def __str__(self) -> str:
        when = f"{self.occurred_at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("The audit log is append-only; its rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only; its rows cannot be deleted.")


class TaskStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class TaskRun(models.Model):
    """What a user sees of a piece of background work: its progress, outcome and errors."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=100)
    label = models.CharField(_("label"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task_runs",
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    backend_task_id = models.CharField(max_length=64, blank=True)
    #: The language of the page the run was started from: the worker writes the run's
    #: messages and errors in it.
    language = models.CharField(_("Language"), max_length=16, blank=True)

    scope_spec = ScopeSpec(kind=ScopeSpec.PERSONAL, owner="created_by")

    class Meta:
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_total__isnull=True)
                | models.Q(progress_done__lte=models.F("progress_total")),
                name="taskrun_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in {TaskStatus.SUCCEEDED, TaskStatus.FAILED}

    @property
    def result_facts(self) -> list[Fact]:
        """The result as the task page shows it (``core.task_results``)."""
        return result_facts(self.result, errors_shown=bool(self.error))
