"""The household registry: displaced households, their members, identity documents and phones,
and every registration as a source sent it.

Names are stored exactly as written, in whichever script, beside normalised forms (for search)
and romanised phonetic keys (so an Arabic query finds a Latin-recorded name and the reverse);
``services`` fills the derived forms on every write. A source record is never changed after it
is received: it keeps what the source sent and points at the person and household it resolved
to.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marsad.core.models import ScopedRecord, TimeStampedModel
from marsad.core.scoping import ScopeSpec


class HouseholdStatus(models.TextChoices):
    DISPLACED = "displaced", _("Displaced")
    RETURNED = "returned", _("Returned")
    RELOCATED = "relocated", _("Relocated")
    CLOSED = "closed", _("Closed")


class ShelterType(models.TextChoices):
    OWN_HOME = "own_home", _("Own home")
    CAMP = "camp", _("Camp")
    RENTED = "rented", _("Private: rented housing")
    HOST_FAMILY = "host_family", _("Private: host family")
    HOTEL = "hotel", _("Private: hotel or motel")
    INFORMAL_SETTLEMENT = "informal_settlement", _("Critical: informal settlement")
    RELIGIOUS_BUILDING = "religious_building", _("Critical: religious building")
    SCHOOL = "school", _("Critical: school building")
    UNFINISHED_BUILDING = "unfinished_building", _("Critical: unfinished or abandoned building")
    OTHER = "other", _("Critical: other")
    UNKNOWN = "", _("Not recorded")


CRITICAL_SHELTER = frozenset(
    {
        ShelterType.INFORMAL_SETTLEMENT,
        ShelterType.RELIGIOUS_BUILDING,
        ShelterType.SCHOOL,
        ShelterType.UNFINISHED_BUILDING,
        ShelterType.OTHER,
    }
)


class DocumentationStatus(models.TextChoices):
    COMPLETE = "complete", _("All members hold civil documents")
    PARTIAL = "partial", _("Some members lack civil documents")
    NONE = "none", _("No member holds civil documents")
    UNKNOWN = "unknown", _("Unknown")


class PropertyStatus(models.TextChoices):
    INTACT = "intact", _("Intact")
    DAMAGED = "damaged", _("Damaged")
    DESTROYED = "destroyed", _("Destroyed")
    OCCUPIED = "occupied", _("Occupied by others")
    NO_PROPERTY = "no_property", _("No property")
    UNKNOWN = "unknown", _("Unknown")


class Household(ScopedRecord):
    """A registered household. ``area`` (from ScopedRecord) is where it lives now."""

    registration_number = models.CharField(
        _("registration number"),
        max_length=40,
        unique=True,
        help_text=_("Given by the registry when the household is registered."),
    )
    address = models.TextField(_("address"), blank=True)
    origin_area = models.ForeignKey(
        "geo.AdminArea",
        verbose_name=_("area of origin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="households_from",
    )
    displacement_date = models.DateField(_("displacement date"), null=True, blank=True)
    size = models.PositiveSmallIntegerField(
        _("household size"),
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("People living in the household, registered here or not."),
    )
    shelter_type = models.CharField(
        _("shelter"), max_length=24, choices=ShelterType.choices, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.DISPLACED,
    )
    documentation_status = models.CharField(
        _("civil documents"),
        max_length=16,
        choices=DocumentationStatus.choices,
        default=DocumentationStatus.UNKNOWN,
    )
    property_status = models.CharField(
        _("property at origin"),
        max_length=16,
        choices=PropertyStatus.choices,
        default=PropertyStatus.UNKNOWN,
    )
    has_income = models.BooleanField(
        _("has an income"),
        null=True,
        blank=True,
        help_text=_("Any regular income (wages, pension, allowance); empty when not asked."),
    )
    notes = models.TextField(_("notes"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_households",
        help_text=_("The household this registration was found to be, when merged."),
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["registration_number"]
        indexes = [models.Index(fields=["status", "area"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(merged_into__isnull=True)
                | models.Q(status=HouseholdStatus.CLOSED),
                name="household_merged_stays_closed",
                violation_error_message=_(
                    "A merged household stays closed; undo the merge to reopen it."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.registration_number

    @property
    def head(self) -> "Person | None":
        return next(
            (p for p in self.members.all() if p.relationship == Relationship.HEAD and p.is_active),
            None,
        )


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    SON = "son", _("Son")
    DAUGHTER = "daughter", _("Daughter")
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    BROTHER = "brother", _("Brother")
    SISTER = "sister", _("Sister")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NOT_RELATED = "not_related", _("Not related")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "", _("Not recorded")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact date")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    WIDOWED = "widowed", _("Widowed")
    DIVORCED = "divorced", _("Divorced or separated")
    UNKNOWN = "", _("Not recorded")


NAME_PARTS = ("given_name", "father_name", "grandfather_name", "family_name", "mother_name")
#: What ``registry.services.derive_names`` fills from the names as written.
DERIVED_NAME_FIELDS = (
    "names_normalised",
    "names_latin",
    "given_key",
    "family_key",
    "father_key",
    "search_text",
)


class Person(TimeStampedModel):
    """A member of a household, with the attributes the vulnerability criteria read."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    relationship = models.CharField(
        _("relationship to the head"), max_length=16, choices=Relationship.choices
    )
    given_name = models.CharField(_("given name"), max_length=100)
    father_name = models.CharField(_("father's name"), max_length=100, blank=True)
    grandfather_name = models.CharField(_("grandfather's name"), max_length=100, blank=True)
    family_name = models.CharField(_("family or tribe name"), max_length=100, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=100, blank=True)
    # Derived on every save by services: normalised in the name's own script, romanised, and
    # the phonetic keys both scripts share. ``search_text`` holds all of them for searching.
    names_normalised = models.CharField(max_length=500, blank=True, editable=False)
    names_latin = models.CharField(max_length=500, blank=True, editable=False)
    given_key = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    family_key = models.CharField(max_length=100, blank=True, editable=False)
    father_key = models.CharField(max_length=100, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("birth date precision"),
        max_length=16,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("A birth year alone is stored as 1 July of that year."),
    )
    marital_status = models.CharField(
        _("marital status"), max_length=16, choices=MaritalStatus.choices, blank=True
    )
    disability = models.BooleanField(_("lives with a disability"), default=False)
    chronic_illness = models.BooleanField(_("chronic illness"), default=False)
    pregnant_or_lactating = models.BooleanField(_("pregnant or lactating"), default=False)
    separated_child = models.BooleanField(_("separated or unaccompanied child"), default=False)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive: merged into another record or left the household."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        help_text=_("The person this record was found to be, when merged."),
    )

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="household__organisation",
        programme="household__programme",
        area="household__area",
        sensitivity="household__sensitivity",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["household", "pk"]
        # Given + family and given + father: the registration form's panel looks duplicates up
        # by the keys the linkage model blocks on, in an index at any registry size.
        indexes = [
            # The duplicates panel's name blocks, ending with the birth date so that a block of
            # thousands is read only for the years around the one typed.
            models.Index(
                fields=["family_key", "given_key", "birth_date"],
                name="registry_person_family_born",
            ),
            models.Index(
                fields=["given_key", "father_key", "birth_date"],
                name="registry_person_father_born",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(sex="male", pregnant_or_lactating=True),
                name="person_pregnancy_needs_female",
                violation_error_message=_("Only a woman can be recorded as pregnant or lactating."),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def sensitivity(self) -> str:
        """A person is as sensitive as the household record it belongs to."""
        return self.household.sensitivity

    @property
    def full_name(self) -> str:
        return " ".join(
            part
            for part in (self.given_name, self.father_name, self.grandfather_name, self.family_name)
            if part
        )


class DocumentKind(models.TextChoices):
    NATIONAL_ID = "national_id", _("Unified national ID card")
    CIVIL_ID = "civil_id", _("Civil status ID")
    NATIONALITY = "nationality", _("Nationality certificate")
    RESIDENCE = "residence", _("Residence card")
    PASSPORT = "passport", _("Passport")
    PDS = "pds", _("Public distribution (ration) card")
    MODM = "modm", _("MoDM displacement card")
    OTHER = "other", _("Other")


class IdentityDocument(TimeStampedModel):
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=16, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=40)
    number_normalised = models.CharField(max_length=40, editable=False, db_index=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="person__household__organisation",
        programme="person__household__programme",
        area="person__household__area",
        sensitivity="person__household__sensitivity",
    )

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "number_normalised"],
                name="document_once_per_person",
                violation_error_message=_("This person already has this document."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Phone(TimeStampedModel):
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("phone number"), max_length=32)
    number_normalised = models.CharField(max_length=32, editable=False, db_index=True)

    scope_spec = IdentityDocument.scope_spec

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


class SourceKind(models.TextChoices):
    REGISTRATION = "registration", _("Registration form")
    MINISTRY = "ministry", _("Ministry register")
    ASSESSMENT = "assessment", _("Field assessment")
    DISTRIBUTION = "distribution", _("Distribution list")
    PARTNER = "partner", _("Partner list")


class SourceRecord(ScopedRecord):
    """One registration exactly as its source sent it: never updated, never deleted. ``person``
    and ``household`` say what it resolved to (linkage may move it to another person later)."""

    kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    source_name = models.CharField(
        _("source list"), max_length=200, blank=True, help_text=_("The file or list it came in.")
    )
    source_key = models.CharField(
        _("source key"),
        max_length=100,
        help_text=_("The source's own record ID, or a hash of the row when it has none."),
    )
    payload = models.JSONField(_("as received"))
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_records",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_records",
    )

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "source_key"],
                name="source_record_once",
                violation_error_message=_("This record was already received from this source."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_key}"


class MergeRecord(TimeStampedModel):
    """What every merge keeps beside what moved: why, who decided, and whether and by whom it
    was undone (a merge is never deleted; an undone one stays, stamped). Subclasses give the
    ``survivor`` and ``merged`` foreign keys."""

    reason = models.CharField(_("reason"), max_length=200, blank=True)
    #: The linkage run that merged the records on its own (its number; the linkage app
    #: depends on this one, not the other way round). Its reason is put into words when read.
    linkage_run = models.PositiveIntegerField(
        _("linkage run"),
        null=True,
        blank=True,
        help_text=_(
            "The linkage run that merged the records automatically; empty when a person decided."
        ),
    )
    #: The pair of the linkage review queue a reviewer found to be one person (its number, as
    #: for the run). Its reason too is put into words when read.
    review_pair = models.PositiveIntegerField(
        _("review pair"),
        null=True,
        blank=True,
        help_text=_(
            "The pair of the review queue a reviewer decided was the same person; empty otherwise."
        ),
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("undone by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"

    @property
    def reason_text(self) -> str:
        """Why the records were merged, in the reader's language: the words of the linkage run
        or the review that merged them, or what the person who merged them wrote."""
        if self.linkage_run is not None:
            return gettext("Linked automatically by linkage run %(run)d") % {
                "run": self.linkage_run
            }
        if self.review_pair is not None:
            return self.reviewed_words() % {"pk": self.review_pair}
        return self.reason

    def reviewed_words(self) -> str:
        """The reason of a merge a review decided, with ``%(pk)d`` for the pair."""
        return gettext("Reviewed: same person (pair %(pk)d)")

    def origin(self) -> dict[str, int]:
        """The linkage run or review pair that made the merge (for the audit log), if any."""
        found = {"linkage_run": self.linkage_run, "review_pair": self.review_pair}
        return {key: value for key, value in found.items() if value is not None}


class PersonMerge(MergeRecord):
    """Two records found to be one person: ``merged`` folded into ``survivor``. Keeps what the
    survivor held before and what moved, so the merge can be undone exactly."""

    survivor = models.ForeignKey(
        Person, verbose_name=_("kept record"), on_delete=models.PROTECT, related_name="merges_kept"
    )
    merged = models.ForeignKey(
        Person,
        verbose_name=_("merged record"),
        on_delete=models.PROTECT,
        related_name="merges_folded",
    )
    survivor_before = models.JSONField(_("kept record before the merge"))
    filled_fields = models.JSONField(_("fields filled from the merged record"), default=list)
    moved_sources = models.JSONField(_("source records moved"), default=list)
    copied_documents = models.JSONField(_("documents copied"), default=list)
    copied_phones = models.JSONField(_("phones copied"), default=list)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="survivor__household__organisation",
        programme="survivor__household__programme",
        area="survivor__household__area",
        sensitivity="survivor__household__sensitivity",
    )

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["merged"],
                condition=models.Q(undone_at__isnull=True),
                name="merge_once_until_undone",
                violation_error_message=_("This record is already merged."),
            )
        ]


class HouseholdMerge(MergeRecord):
    """Two registrations found to be one household: ``merged`` closed and folded into
    ``survivor``. Keeps what the survivor held before, the merged household's status and what
    moved (members, source records), so the merge can be undone exactly."""

    survivor = models.ForeignKey(
        Household,
        verbose_name=_("kept household"),
        on_delete=models.PROTECT,
        related_name="household_merges_kept",
    )
    merged = models.ForeignKey(
        Household,
        verbose_name=_("merged household"),
        on_delete=models.PROTECT,
        related_name="household_merges_folded",
    )
    survivor_before = models.JSONField(_("kept household before the merge"))
    merged_status = models.CharField(
        _("status of the merged household before the merge"),
        max_length=16,
        choices=HouseholdStatus.choices,
    )
    filled_fields = models.JSONField(_("fields filled from the merged household"), default=list)
    moved_members = models.JSONField(_("members moved"), default=list)
    moved_sources = models.JSONField(_("source records moved"), default=list)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="survivor__organisation",
        programme="survivor__programme",
        area="survivor__area",
        sensitivity="survivor__sensitivity",
    )

    class Meta:
        verbose_name = _("household merge")
        verbose_name_plural = _("household merges")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["merged"],
                condition=models.Q(undone_at__isnull=True),
                name="household_merge_once_until_undone",
                violation_error_message=_("This household is already merged."),
            ),
            models.CheckConstraint(
                condition=~models.Q(survivor=models.F("merged")),
                name="household_merge_two_households",
                violation_error_message=_("A household cannot be merged with itself."),
            ),
        ]

    def reviewed_words(self) -> str:
        # A review merges persons; the household follows when none of its own is left.
        return gettext("Reviewed: same person (pair %(pk)d); no member of its own was left")

    @property
    def sensitivity(self) -> str:
        return self.survivor.sensitivity
