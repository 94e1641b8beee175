"""Serializers of the assistance report endpoints: the query (the filters every report shares)
and the answers (a table's rows and total, the 5W rows)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marsad.assistance import reports, reports_export
from marsad.assistance.models import AssistanceType
from marsad.geo.models import AdminArea
from marsad.partners.models import Organisation, Programme


def _lookup(model: type, lookup: str, value: str, message: Any) -> Any:
    found = model.objects.filter(**{lookup: value.strip()}).first()
    if found is None:
        raise serializers.ValidationError(message % {"code": value})
    return found


class ReportQuery(serializers.Serializer):
    """The filters of every assistance report."""

    programme = serializers.CharField(required=False, help_text=_("Programme code."))
    donor = serializers.CharField(required=False, help_text=_("Donor (organisation) code."))
    partner = serializers.CharField(
        required=False, help_text=_("Implementing partner (organisation) code.")
    )
    assistance_type = serializers.ChoiceField(choices=AssistanceType.choices, required=False)
    date_from = serializers.DateField(required=False, help_text=_("Received on or after."))
    date_to = serializers.DateField(required=False, help_text=_("Received on or before."))
    area = serializers.CharField(
        required=False, help_text=_("P-code: households living within this area.")
    )

    def validate_programme(self, value: str) -> Programme:
        return _lookup(Programme, "code__iexact", value, _("No programme has the code %(code)s."))

    def validate_donor(self, value: str) -> Organisation:
        return _lookup(
            Organisation, "code__iexact", value, _("No organisation has the code %(code)s.")
        )

    def validate_partner(self, value: str) -> Organisation:
        return self.validate_donor(value)

    def validate_area(self, value: str) -> AdminArea:
        return _lookup(AdminArea, "pcode__iexact", value, _("No area has the P-code %(code)s."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"date_to": _("The end of the period must not be before its start.")}
            )
        return attrs

    def filters(self) -> reports.Filters:
        data = self.validated_data
        return reports.Filters(
            programme=data.get("programme"),
            donor=data.get("donor"),
            partner=data.get("partner"),
            assistance_type=data.get("assistance_type") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            area=data.get("area"),
        )


class AssistedQuery(ReportQuery):
    by = serializers.ChoiceField(
        choices=reports.DIMENSIONS,
        default="governorate",
        help_text=_("What each row is."),
    )


class ReportExportQuery(ReportQuery):
    report = serializers.ChoiceField(
        choices=reports_export.TABLES,
        default=reports_export.FIVE_W,
        help_text=_("5w, or a table of households and individuals assisted."),
    )
    file_format = serializers.ChoiceField(
        choices=reports_export.FORMATS,
        default="csv",
        help_text=_("csv, xlsx or hxl (HXL-tagged CSV)."),
    )


class AssistanceFiltersSerializer(serializers.Serializer):
    programme = serializers.CharField(allow_null=True)
    donor = serializers.CharField(allow_null=True)
    partner = serializers.CharField(allow_null=True)
    assistance_type = serializers.CharField(allow_null=True)
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    area = serializers.CharField(allow_null=True)


class AssistanceSuppressionSerializer(serializers.Serializer):
    suppressed = serializers.BooleanField()
    threshold = serializers.IntegerField(allow_null=True)


class AssistanceFiguresSerializer(serializers.Serializer):
    """Households and people reached (``counting.FIGURES``); null when the row is suppressed."""

    households = serializers.IntegerField(allow_null=True)
    individuals = serializers.IntegerField(allow_null=True)
    women = serializers.IntegerField(allow_null=True)
    men = serializers.IntegerField(allow_null=True)
    girls = serializers.IntegerField(allow_null=True)
    boys = serializers.IntegerField(allow_null=True)
    female_0_5 = serializers.IntegerField(allow_null=True)
    female_6_17 = serializers.IntegerField(allow_null=True)
    female_18_59 = serializers.IntegerField(allow_null=True)
    female_60_plus = serializers.IntegerField(allow_null=True)
    male_0_5 = serializers.IntegerField(allow_null=True)
    male_6_17 = serializers.IntegerField(allow_null=True)
    male_18_59 = serializers.IntegerField(allow_null=True)
    male_60_plus = serializers.IntegerField(allow_null=True)
    not_disaggregated = serializers.IntegerField(allow_null=True)
    receipts = serializers.IntegerField(allow_null=True)


class AssistanceReportRowSerializer(AssistanceFiguresSerializer):
    code = serializers.CharField(allow_null=True, help_text=_("P-code, type or organisation."))
    withheld = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_(
            "In the public figures: the figures of this row, null not for being few households "
            "but to protect a small row, which the total would otherwise give away."
        ),
    )
    name = serializers.CharField()
    name_en = serializers.CharField()
    name_ar = serializers.CharField(allow_blank=True)
    parent_code = serializers.CharField(
        required=False, allow_null=True, help_text=_("The governorate of a district.")
    )
    parent_name = serializers.CharField(required=False)
    sector_code = serializers.CharField(required=False)
    sector_name = serializers.CharField(required=False)
    unit = serializers.CharField(required=False)
    quantity = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True
    )


class AssistedReportSerializer(serializers.Serializer):
    by = serializers.CharField()
    title = serializers.CharField()
    filters = AssistanceFiltersSerializer()
    rows = AssistanceReportRowSerializer(many=True)
    total = AssistanceReportRowSerializer()
    suppression = AssistanceSuppressionSerializer()


class FiveWRowSerializer(AssistanceFiguresSerializer):
    partner_code = serializers.CharField()
    partner_name = serializers.CharField()
    donor_code = serializers.CharField(allow_blank=True)
    donor_name = serializers.CharField(allow_blank=True)
    programme_code = serializers.CharField()
    programme_name = serializers.CharField()
    plan_code = serializers.CharField()
    plan_title = serializers.CharField()
    sector_code = serializers.CharField()
    sector_name = serializers.CharField()
    assistance_type = serializers.CharField()
    assistance_name = serializers.CharField()
    governorate_code = serializers.CharField(allow_blank=True)
    governorate_name = serializers.CharField(allow_blank=True)
    governorate_name_ar = serializers.CharField(allow_blank=True)
    district_code = serializers.CharField(allow_blank=True)
    district_name = serializers.CharField(allow_blank=True)
    location_code = serializers.CharField(allow_blank=True)
    location_name = serializers.CharField(allow_blank=True)
    date_start = serializers.DateField()
    date_end = serializers.DateField()
    quantity = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    unit = serializers.CharField()
