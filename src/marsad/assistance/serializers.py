"""Serializers of the assistance API: criteria sets and versions, plans and their items,
selections and their entries, receipts, and the body of a double-assistance refusal. Reads
only; writes go through ``assistance.services`` (``api``)."""

from dataclasses import asdict
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marsad.assistance import explanations
from marsad.assistance.models import (
    CATEGORY_CHOICES,
    CRITERION_KINDS,
    REASON_NAMES,
    AssistancePlan,
    AssistanceType,
    CriteriaSet,
    CriteriaSetVersion,
    Criterion,
    PlanItem,
    Receipt,
    Selection,
    SelectionEntry,
    normalise_cycle,
)
from marsad.assistance.ranking import Reason
from marsad.core.scoping import VIEW, scope
from marsad.geo.models import AdminArea
from marsad.partners.models import Funding, Organisation, Programme
from marsad.registry.models import Household, HouseholdStatus, Person


def _username(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="username", read_only=True, **kwargs)


class ScopedSlugRelatedField(serializers.SlugRelatedField):
    """A related record named by a slug, looked up among those the requesting user may see:
    one out of their scope is "not found", never told apart from one that does not exist."""

    def get_queryset(self) -> Any:
        return scope(super().get_queryset(), self.context["request"].user, VIEW)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> Any:
        return scope(super().get_queryset(), self.context["request"].user, VIEW)


# --- Criteria --------------------------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="kind", read_only=True)
    display_label = serializers.CharField(read_only=True)

    class Meta:
        model = Criterion
        fields = ["position", "rule", "parameter", "weight", "label", "display_label"]
        read_only_fields = fields


class CriteriaVersionSerializer(serializers.ModelSerializer):
    criteria_set_name = serializers.CharField(source="criteria_set.name", read_only=True)
    created_by = _username()
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = CriteriaSetVersion
        fields = [
            "id",
            "criteria_set",
            "criteria_set_name",
            "number",
            "high_min",
            "medium_min",
            "note",
            "created_by",
            "created_at",
            "criteria",
        ]
        read_only_fields = fields


class CriteriaSetSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    latest_version = serializers.SerializerMethodField()

    class Meta:
        model = CriteriaSet
        fields = [
            "id",
            "organisation",
            "programme",
            "name",
            "description",
            "is_active",
            "latest_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_latest_version(self, criteria_set: CriteriaSet) -> int | None:
        numbers = [version.number for version in criteria_set.versions.all()]
        return max(numbers) if numbers else None


class CriterionInputSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=CRITERION_KINDS, help_text=_("The rule's code."))
    weight = serializers.IntegerField(help_text=_("Points a household gets when it fires."))
    parameter = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("The rule's number where it takes one; its usual value when omitted."),
    )
    label = serializers.CharField(required=False, allow_blank=True, max_length=200)


class CriteriaVersionPublishSerializer(serializers.Serializer):
    """Publish the next version of a criteria set: its criteria and category cut-offs."""

    criteria_set = ScopedPrimaryKeyRelatedField(queryset=CriteriaSet.objects.all())
    criteria = CriterionInputSerializer(many=True, allow_empty=False)
    high_min = serializers.IntegerField(help_text=_("High vulnerability from this score."))
    medium_min = serializers.IntegerField(help_text=_("Medium from this score; low below."))
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- Plans -----------------------------------------------------------------------------------


class PlanItemSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(read_only=True)
    value_per_household = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "assistance_type",
            "description",
            "quantity",
            "unit",
            "unit_value_usd",
            "value_per_household",
        ]
        read_only_fields = ["id"]


PLAN_FIELDS = [
    "id",
    "code",
    "title",
    "organisation",
    "programme",
    "project_name",
    "project_code",
    "donor",
    "funding",
    "location",
    "start_date",
    "end_date",
    "cycle",
    "status",
    "criteria_version",
    "notes",
    "items",
    "cost_per_household",
    "approved_by",
    "approved_at",
    "closed_by",
    "closed_at",
    "created_at",
    "updated_at",
]
PLAN_READ_ONLY = [
    "status",
    "approved_by",
    "approved_at",
    "closed_by",
    "closed_at",
    "created_at",
    "updated_at",
]


class PlanSerializer(serializers.ModelSerializer):
    """A plan with its items. Created as a draft with its items in one request; its status
    changes only by the approve and close actions."""

    organisation = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.all(),
        help_text=_("Code of the implementing partner."),
    )
    programme = serializers.SlugRelatedField(slug_field="code", queryset=Programme.objects.all())
    donor = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    funding = serializers.PrimaryKeyRelatedField(
        queryset=Funding.objects.all(), allow_null=True, required=False
    )
    location = serializers.SlugRelatedField(
        slug_field="pcode",
        queryset=AdminArea.objects.all(),
        help_text=_("P-code of the area the plan serves."),
    )
    criteria_version = serializers.PrimaryKeyRelatedField(
        queryset=CriteriaSetVersion.objects.all(), allow_null=True, required=False
    )
    items = PlanItemSerializer(many=True, required=False)
    cycle = serializers.CharField(
        max_length=24,
        help_text=_(
            "Plans of one programme with the same cycle are one cycle: a household receives "
            "each kind of assistance once per cycle. Stored in capitals."
        ),
    )
    status = serializers.CharField(
        read_only=True, help_text=_("draft, approved or closed: changed by approve and close.")
    )
    cost_per_household = serializers.SerializerMethodField()
    approved_by = _username()
    closed_by = _username()

    class Meta:
        model = AssistancePlan
        fields = PLAN_FIELDS
        read_only_fields = PLAN_READ_ONLY

    def validate_cycle(self, value: str) -> str:
        return normalise_cycle(value)

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_cost_per_household(self, plan: AssistancePlan) -> str | None:
        cost = plan.cost_per_household()
        return None if cost is None else f"{cost:.2f}"


class PlanUpdateSerializer(PlanSerializer):
    """A draft plan's fields, or an approved plan's end date and notes; items are added with
    ``POST plans/{id}/items/``."""

    items = PlanItemSerializer(many=True, read_only=True)


# --- Selections ------------------------------------------------------------------------------


class SelectionRunSerializer(serializers.Serializer):
    """The parameters of a selection run (see ``assistance.ranking``)."""

    areas = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text=_("P-codes of the areas to select in; the plan's location when empty."),
    )
    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=HouseholdStatus.choices),
        required=False,
        help_text=_("Household statuses taken (default: displaced)."),
    )
    minimum_category = serializers.ChoiceField(
        choices=CATEGORY_CHOICES, required=False, allow_null=True
    )
    quota = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    as_of = serializers.DateField(
        required=False, help_text=_("The date ages and months count to (default: today).")
    )

    def validate_areas(self, value: list[str]) -> list[AdminArea]:
        codes = [code.strip().upper() for code in value if code.strip()]
        found = {area.pcode: area for area in AdminArea.objects.filter(pcode__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise serializers.ValidationError(
                _("No area has the P-code %(pcodes)s.") % {"pcodes": ", ".join(unknown)}
            )
        return [found[code] for code in codes]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("statuses", [HouseholdStatus.DISPLACED])
        attrs["as_of"] = attrs.get("as_of") or timezone.localdate()
        return attrs


class SelectionSerializer(serializers.ModelSerializer):
    plan_code = serializers.CharField(source="plan.code", read_only=True)
    criteria_set = serializers.CharField(
        source="criteria_version.criteria_set.name", read_only=True
    )
    criteria_version_number = serializers.IntegerField(
        source="criteria_version.number", read_only=True
    )
    areas = serializers.SlugRelatedField(slug_field="pcode", many=True, read_only=True)
    run_by = _username()

    class Meta:
        model = Selection
        fields = [
            "id",
            "plan",
            "plan_code",
            "criteria_version",
            "criteria_set",
            "criteria_version_number",
            "as_of",
            "areas",
            "statuses",
            "minimum_category",
            "quota",
            "budget_usd",
            "cost_per_household_usd",
            "considered_count",
            "included_count",
            "total_cost_usd",
            "run_by",
            "created_at",
        ]
        read_only_fields = fields


class ExplanationLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    fired = serializers.BooleanField()
    weight = serializers.IntegerField()
    points = serializers.IntegerField()
    why = serializers.CharField()


class SelectionEntrySerializer(serializers.ModelSerializer):
    category = serializers.CharField(read_only=True, help_text=_("high, medium or low."))
    registration_number = serializers.CharField(
        source="household.registration_number", read_only=True
    )
    area = serializers.CharField(source="household.area.pcode", read_only=True, allow_null=True)
    reason_text = serializers.SerializerMethodField()
    other_household = serializers.SlugRelatedField(
        slug_field="registration_number", read_only=True, allow_null=True
    )
    summary = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = SelectionEntry
        fields = [
            "rank",
            "household",
            "registration_number",
            "area",
            "score",
            "category",
            "included",
            "reason",
            "reason_text",
            "other_household",
            "earlier_receipt",
            "summary",
            "explanation",
            "result",
        ]
        read_only_fields = fields

    def get_reason_text(self, entry: SelectionEntry) -> str:
        return str(REASON_NAMES[Reason(entry.reason)]) if entry.reason else ""

    def get_summary(self, entry: SelectionEntry) -> str:
        return explanations.summary(entry.score_result())

    @extend_schema_field(ExplanationLineSerializer(many=True))
    def get_explanation(self, entry: SelectionEntry) -> list[dict[str, Any]]:
        """Each criterion in its order: whether it fired, its points and why, in words."""
        return [asdict(line) for line in explanations.explain(entry.score_result())]


# --- Receipts --------------------------------------------------------------------------------


class ReceiptSerializer(serializers.ModelSerializer):
    plan_code = serializers.CharField(source="plan.code", read_only=True)
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    registration_number = serializers.CharField(
        source="household.registration_number", read_only=True
    )
    recorded_by = _username()
    overridden_by = _username()
    voided = serializers.BooleanField(
        source="is_voided",
        read_only=True,
        help_text=_("Voided as recorded in error: it no longer counts nor blocks another."),
    )
    voided_by = _username()

    class Meta:
        model = Receipt
        fields = [
            "id",
            "plan",
            "plan_code",
            "item",
            "assistance_type",
            "programme",
            "cycle",
            "household",
            "registration_number",
            "person",
            "quantity",
            "received_on",
            "id_checked",
            "signed",
            "thumbprint",
            "recorded_by",
            "source_key",
            "override",
            "override_reason",
            "overridden_by",
            "overrides_receipt",
            "voided",
            "voided_at",
            "voided_by",
            "void_reason",
            "created_at",
        ]
        read_only_fields = fields


class ReceiptVoidSerializer(serializers.Serializer):
    """Void a receipt recorded in error (supervisors)."""

    reason = serializers.CharField(
        help_text=_("Why the receipt is voided, e.g. recorded for the wrong household.")
    )


class ReceiptCreateSerializer(serializers.Serializer):
    """Record a receipt. Name the plan's item by ``item`` or by ``assistance_type`` (either may
    be left out when the plan has a single item)."""

    plan = ScopedPrimaryKeyRelatedField(queryset=AssistancePlan.objects.all())
    item = serializers.IntegerField(required=False, allow_null=True)
    assistance_type = serializers.ChoiceField(choices=AssistanceType.choices, required=False)
    household = ScopedSlugRelatedField(
        slug_field="registration_number",
        queryset=Household.objects.all(),
        help_text=_("The household's registration number."),
    )
    person = ScopedPrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Who collected it or attended the training (required for training)."),
    )
    quantity = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("Default: the item's quantity per household."),
    )
    received_on = serializers.DateField()
    id_checked = serializers.BooleanField(required=False, default=False)
    signed = serializers.BooleanField(required=False, default=False)
    thumbprint = serializers.BooleanField(required=False, default=False)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Supervisors only: why a second receipt of this assistance in the cycle is "
            "recorded anyway."
        ),
    )
    source_key = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        plan: AssistancePlan = attrs["plan"]
        items = list(plan.items.all())
        item_id, kind = attrs.pop("item", None), attrs.pop("assistance_type", None)
        if item_id is not None:
            chosen = [item for item in items if item.pk == item_id]
            if not chosen:
                raise serializers.ValidationError({"item": _("This item belongs to another plan.")})
        elif kind:
            chosen = [item for item in items if item.assistance_type == kind]
            if not chosen:
                raise serializers.ValidationError(
                    {"assistance_type": _("This plan gives no such assistance.")}
                )
        elif len(items) == 1:
            chosen = items
        else:
            raise serializers.ValidationError(
                {"item": _("This plan has several items: name the item or its assistance type.")}
            )
        attrs["item"] = chosen[0]
        return attrs


class EarlierPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class EarlierHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    registration_number = serializers.CharField()


class EarlierReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    received_on = serializers.DateField()
    assistance_type = serializers.CharField()
    cycle = serializers.CharField()
    programme = serializers.CharField()
    plan = EarlierPlanSerializer()
    household = EarlierHouseholdSerializer()
    same_household = serializers.BooleanField(
        help_text=_("False when the earlier receipt went to a linked registration.")
    )


class OverrideHowSerializer(serializers.Serializer):
    allowed = serializers.BooleanField(help_text=_("Whether you may override it."))
    field = serializers.CharField()
    how = serializers.CharField()


class DoubleAssistanceErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class DoubleAssistanceSerializer(serializers.Serializer):
    """409 Conflict: the household (or a linked one) already received this assistance in the
    cycle."""

    errors = DoubleAssistanceErrorSerializer(many=True)
    earlier_receipt = EarlierReceiptSerializer()
    override = OverrideHowSerializer()


def earlier_receipt_data(earlier: Receipt, household: Household) -> dict[str, Any]:
    """The earlier receipt as the 409 body names it."""
    return {
        "id": earlier.pk,
        "received_on": earlier.received_on,
        "assistance_type": earlier.assistance_type,
        "cycle": earlier.cycle,
        "programme": earlier.programme.code,
        "plan": {"id": earlier.plan.pk, "code": earlier.plan.code, "title": earlier.plan.title},
        "household": {
            "id": earlier.household.pk,
            "registration_number": earlier.household.registration_number,
        },
        "same_household": earlier.household_id == household.pk,
    }
