"""Assistance reports pages: households and individuals assisted by governorate, district,
assistance type, programme, donor and partner, by sex and age, with filters; each table and the
5W as downloads. Roles that see records count their scope; aggregate viewers see every
receipt with small rows suppressed (see ``reports``)."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.assistance import reports, reports_export
from marsad.assistance.models import AssistanceType
from marsad.core.disclosure import WITHHELD_MARKER
from marsad.geo.models import AdminArea, AreaLevel
from marsad.partners.models import Organisation, OrganisationKind, Programme

#: The first column's heading of each table.
TABLE_HEADINGS = {
    "governorate": gettext_lazy("Governorate"),
    "district": gettext_lazy("District"),
    "assistance_type": gettext_lazy("Assistance"),
    "programme": gettext_lazy("Programme"),
    "donor": gettext_lazy("Donor"),
    "partner": gettext_lazy("Implementing partner"),
}


class DateInput(forms.DateInput):
    input_type = "date"


class ReportFilterForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All programmes"),
    )
    donor = forms.ModelChoiceField(
        label=gettext_lazy("Donor"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.DONOR).order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All donors"),
    )
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Implementing partner"),
        queryset=Organisation.objects.filter(assistance_plans__isnull=False)
        .distinct()
        .order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All partners"),
    )
    assistance_type = forms.ChoiceField(
        label=gettext_lazy("Assistance"),
        choices=[("", gettext_lazy("All assistance")), *AssistanceType.choices],
        required=False,
    )
    date_from = forms.DateField(
        label=gettext_lazy("Received from"), required=False, widget=DateInput
    )
    date_to = forms.DateField(label=gettext_lazy("Received to"), required=False, widget=DateInput)
    area = forms.ModelChoiceField(
        label=gettext_lazy("Area"),
        queryset=AdminArea.objects.filter(
            Q(level=AreaLevel.GOVERNORATE) | Q(level=AreaLevel.DISTRICT)
        ).order_by("path"),
        to_field_name="pcode",
        required=False,
        empty_label=gettext_lazy("Everywhere"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].label_from_instance = lambda area: (
            f"{area.name} ({area.pcode})"
            if area.level == AreaLevel.GOVERNORATE
            else f"— {area.name} ({area.pcode})"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        return cleaned

    def filters(self) -> reports.Filters:
        """The chosen filters; none when the form is unbound or not valid."""
        if not self.is_bound or not self.is_valid():
            return reports.Filters()
        data = self.cleaned_data
        return reports.Filters(
            programme=data.get("programme"),
            donor=data.get("donor"),
            partner=data.get("partner"),
            assistance_type=data.get("assistance_type") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            area=data.get("area"),
        )


def _query(filters: reports.Filters) -> str:
    """The filters as a query string for the download links."""
    values = {key: value for key, value in filters.as_dict().items() if value}
    return urlencode(values)


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    vis = reports.visibility(request.user)
    form = ReportFilterForm(request.GET or None)
    filters = form.filters()
    tables = reports.summary(user=vis, filters=filters)
    context = {
        "form": form,
        "filters": filters,
        "visibility": vis,
        "marker": f"<{vis.threshold}",
        "withheld_marker": WITHHELD_MARKER,
        "tables": [{**table, "heading": TABLE_HEADINGS[by]} for by, table in tables.items()],
        "total": tables["governorate"]["total"],
        "export_query": _query(filters),
        "age_groups": ["0–5", "6–17", "18–59", "60+"],
    }
    return render(request, "assistance/reports/index.html", context)


@login_required
def reports_download(request: HttpRequest) -> HttpResponse:
    """``?report=<5w or a table>&format=csv|xlsx|hxl`` plus the page's filters: one download."""
    vis = reports.visibility(request.user)
    table = request.GET.get("report", "")
    file_format = request.GET.get("format", "csv")
    form = ReportFilterForm(request.GET)
    problems = []
    if table not in reports_export.TABLES:
        problems.append(
            _("report: %(table)s is not a report; use one of %(tables)s.")
            % {"table": table or "—", "tables": ", ".join(reports_export.TABLES)}
        )
    if file_format not in reports_export.FORMATS:
        problems.append(
            _("format: %(format)s is not a format; use one of %(formats)s.")
            % {"format": file_format, "formats": ", ".join(reports_export.FORMATS)}
        )
    if not form.is_valid():
        problems.extend(
            f"{name}: {message}" for name, messages in form.errors.items() for message in messages
        )
    if problems:
        return HttpResponseBadRequest("\n".join(problems), content_type="text/plain; charset=utf-8")
    result = reports_export.export(
        actor=request.user,
        user=vis,
        table=table,
        file_format=file_format,
        filters=form.filters(),
        channel="ui",
    )
    content = result.content
    if file_format == "csv":
        # The byte-order mark lets Excel open Arabic and Kurdish names as UTF-8.
        content = "\ufeff".encode() + content
    response = HttpResponse(content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
