"""Pages for organisations, programmes, funding lines and focal points: selectors read, forms
check, services write (scoped and audited)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marsad.core import audit
from marsad.core.models import AuditAction, Sensitivity
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, VIEW, can, can_create, has_capability, membership_scopes
from marsad.core.scoping import scope as scoped
from marsad.core.views import paginate
from marsad.partners import exporters, selectors, services
from marsad.partners.forms import (
    ContactForm,
    FundingForm,
    OrganisationForm,
    OrganisationSearchForm,
    ProgrammeForm,
    ProgrammeSearchForm,
    apply_errors,
)
from marsad.partners.models import Contact, Funding, Organisation, Programme


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _organisation(request: HttpRequest, code: str) -> Organisation:
    return get_object_or_404(scoped(Organisation.objects.all(), request.user, VIEW), code=code)


def _programme(request: HttpRequest, code: str) -> Programme:
    return get_object_or_404(scoped(Programme.objects.all(), request.user, VIEW), code=code)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role does not allow this change."))


def may_add_contact(user: Any, organisation: Organisation) -> bool:
    """Whether some role of ``user`` may record focal points of ``organisation`` at all (the
    service then checks the programme, area and sensitivity chosen)."""
    if can_create(user, Contact, organisation=organisation):
        return True
    for membership in membership_scopes(user):
        caps = membership.capabilities
        needed = {Capability.VIEW_RECORDS, Capability.CHANGE_RECORDS, Capability.VIEW_PII}
        if not needed <= caps:
            continue
        oversees = Capability.OVERSIGHT in caps and membership.organisation_is_mission
        if oversees or membership.organisation_id == organisation.pk:
            return True
    return False


def _save(form: Any, write: Any) -> Any:
    """Run the service ``write`` on the form's data; its refusals become form errors."""
    try:
        return write(form.service_data())
    except ValidationError as error:
        apply_errors(form, error)
    return None


# --- Organisations -------------------------------------------------------------------------------


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationSearchForm(request.GET or None)
    query, kind = "", ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    organisations = selectors.organisation_list(user=request.user, query=query, kind=kind)
    return render(
        request,
        "partners/organisation_list.html",
        {
            "form": form,
            "page": paginate(request, organisations),
            "querystring": _querystring(request),
            "may_add": can_create(request.user, Organisation),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        detail = selectors.organisation_detail(user=request.user, code=code)
    except Organisation.DoesNotExist as error:
        raise Http404 from error
    organisation = detail.organisation
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "detail": detail,
            "organisation": organisation,
            "may_change": can(request.user, CHANGE, organisation),
            "sees_contacts": has_capability(request.user, Capability.VIEW_PII),
            "may_add_contact": may_add_contact(request.user, organisation),
        },
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    _require(can_create(request.user, Organisation))
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = _save(
            form, lambda data: services.organisation_create(actor=request.user, data=data)
        )
        if organisation is not None:
            messages.success(request, _("The organisation was added."))
            return redirect("partners:organisation-detail", code=organisation.code)
    return render(request, "partners/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request: HttpRequest, code: str) -> HttpResponse:
    organisation = _organisation(request, code)
    _require(can(request.user, CHANGE, organisation))
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda data: services.organisation_update(
                actor=request.user, instance=Organisation.objects.get(pk=organisation.pk), data=data
            ),
        )
        if saved is not None:
            messages.success(request, _("The organisation was saved."))
            return redirect("partners:organisation-detail", code=saved.code)
    return render(
        request,
        "partners/organisation_form.html",
        {"form": form, "organisation": Organisation.objects.get(pk=organisation.pk)},
    )


@login_required
def organisation_delete(request: HttpRequest, code: str) -> HttpResponse:
    organisation = _organisation(request, code)
    _require(can(request.user, CHANGE, organisation))
    if request.method == "POST":
        try:
            services.organisation_delete(actor=request.user, instance=organisation)
        except ProtectedError as error:
            messages.error(request, error.args[0])
            return redirect("partners:organisation-detail", code=organisation.code)
        messages.success(request, _("The organisation %(code)s was deleted.") % {"code": code})
        return redirect("partners:organisation-list")
    return render(
        request, "partners/organisation_confirm_delete.html", {"organisation": organisation}
    )


# --- Focal points --------------------------------------------------------------------------------


def _contact(request: HttpRequest, organisation: Organisation, pk: int) -> Contact:
    if not has_capability(request.user, Capability.VIEW_PII):
        raise PermissionDenied(_("Your role does not give access to personal data."))
    return get_object_or_404(
        selectors.contact_list(user=request.user, organisation=organisation), pk=pk
    )


@login_required
def contact_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, code)
    contact = _contact(request, organisation, pk)
    if contact.sensitivity != Sensitivity.NORMAL:
        audit.record(actor=request.user, action=AuditAction.READ, instance=contact)
    return render(
        request,
        "partners/contact_detail.html",
        {
            "organisation": organisation,
            "contact": contact,
            "may_change": can(request.user, CHANGE, contact),
        },
    )


def _contact_write(form: ContactForm, write: Any) -> Contact | None:
    try:
        return _save(form, write)
    except PermissionDenied:
        form.add_error(
            None,
            _(
                "Your role may not record a focal point with this programme, area or "
                "sensitivity; choose values within your role."
            ),
        )
    return None


@login_required
def contact_create(request: HttpRequest, code: str) -> HttpResponse:
    organisation = _organisation(request, code)
    _require(may_add_contact(request.user, organisation))
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = _contact_write(
            form,
            lambda data: services.contact_create(
                actor=request.user, data={**data, "organisation": organisation}
            ),
        )
        if contact is not None:
            messages.success(request, _("The focal point was added."))
            return redirect("partners:contact-detail", code=organisation.code, pk=contact.pk)
    return render(
        request,
        "partners/contact_form.html",
        {"form": form, "organisation": organisation, "contact": None},
    )


@login_required
def contact_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, code)
    contact = _contact(request, organisation, pk)
    _require(can(request.user, CHANGE, contact))
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        saved = _contact_write(
            form,
            lambda data: services.contact_update(
                actor=request.user, instance=Contact.objects.get(pk=pk), data=data
            ),
        )
        if saved is not None:
            messages.success(request, _("The focal point was saved."))
            return redirect("partners:contact-detail", code=organisation.code, pk=saved.pk)
    return render(
        request,
        "partners/contact_form.html",
        {"form": form, "organisation": organisation, "contact": Contact.objects.get(pk=pk)},
    )


@login_required
@require_POST
def contact_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, code)
    contact = _contact(request, organisation, pk)
    _require(can(request.user, CHANGE, contact))
    services.contact_delete(actor=request.user, instance=contact)
    messages.success(request, _("The focal point was deleted."))
    return redirect("partners:organisation-detail", code=organisation.code)


# --- Programmes ----------------------------------------------------------------------------------


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    form = ProgrammeSearchForm(request.GET or None)
    filters = form.filters() if form.is_valid() else {}
    programmes = selectors.programme_list(user=request.user, **filters)
    return render(
        request,
        "partners/programme_list.html",
        {
            "form": form,
            "page": paginate(request, programmes),
            "querystring": _querystring(request),
            "may_add": can_create(request.user, Programme),
            "may_export": has_capability(request.user, Capability.EXPORT),
        },
    )


@login_required
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        detail = selectors.programme_detail(user=request.user, code=code)
    except Programme.DoesNotExist as error:
        raise Http404 from error
    return render(
        request,
        "partners/programme_detail.html",
        {
            "detail": detail,
            "programme": detail.programme,
            "may_change": can(request.user, CHANGE, detail.programme),
            "may_add_funding": can_create(request.user, Funding),
            "may_export": has_capability(request.user, Capability.EXPORT),
        },
    )


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    _require(can_create(request.user, Programme))
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        programme = _save(
            form, lambda data: services.programme_create(actor=request.user, data=data)
        )
        if programme is not None:
            messages.success(request, _("The programme was added."))
            return redirect("partners:programme-detail", code=programme.code)
    return render(request, "partners/programme_form.html", {"form": form, "programme": None})


@login_required
def programme_edit(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    _require(can(request.user, CHANGE, programme))
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda data: services.programme_update(
                actor=request.user, instance=Programme.objects.get(pk=programme.pk), data=data
            ),
        )
        if saved is not None:
            messages.success(request, _("The programme was saved."))
            return redirect("partners:programme-detail", code=saved.code)
    return render(
        request,
        "partners/programme_form.html",
        {"form": form, "programme": Programme.objects.get(pk=programme.pk)},
    )


# --- Funding -------------------------------------------------------------------------------------


def _funding(request: HttpRequest, programme: Programme, pk: int) -> Funding:
    return get_object_or_404(
        selectors.funding_list(user=request.user).filter(programme=programme), pk=pk
    )


@login_required
def funding_create(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    _require(can_create(request.user, Funding))
    form = FundingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        funding = _save(
            form,
            lambda data: services.funding_create(
                actor=request.user, data={**data, "programme": programme}
            ),
        )
        if funding is not None:
            messages.success(request, _("The funding line was added."))
            return redirect("partners:programme-detail", code=programme.code)
    return render(
        request,
        "partners/funding_form.html",
        {"form": form, "programme": programme, "funding": None},
    )


@login_required
def funding_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    programme = _programme(request, code)
    funding = _funding(request, programme, pk)
    _require(can(request.user, CHANGE, funding))
    form = FundingForm(request.POST or None, instance=funding)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda data: services.funding_update(
                actor=request.user, instance=Funding.objects.get(pk=pk), data=data
            ),
        )
        if saved is not None:
            messages.success(request, _("The funding line was saved."))
            return redirect("partners:programme-detail", code=programme.code)
    return render(
        request,
        "partners/funding_form.html",
        {"form": form, "programme": programme, "funding": Funding.objects.get(pk=pk)},
    )


@login_required
@require_POST
def funding_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    programme = _programme(request, code)
    funding = _funding(request, programme, pk)
    _require(can(request.user, CHANGE, funding))
    services.funding_delete(actor=request.user, instance=funding)
    messages.success(request, _("The funding line was deleted."))
    return redirect("partners:programme-detail", code=programme.code)


@login_required
def funding_export(request: HttpRequest) -> HttpResponse:
    """The funding lines the user may see (optionally one programme's) as CSV; audited."""
    if not has_capability(request.user, Capability.EXPORT):
        raise PermissionDenied(_("Your role does not allow exports."))
    programme = request.GET.get("programme", "").strip()
    funding = selectors.funding_list(user=request.user, programme=programme)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    name = f"funding-{programme}-{stamp}.csv" if programme else f"funding-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so that spreadsheet programs read the Arabic text as UTF-8
    count = exporters.write_csv(
        exporters.funding_records(funding), exporters.FUNDING_COLUMNS, response
    )
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="partners.funding",
        object_repr=name,
        context={"format": "csv", "rows": count, "programme": programme},
    )
    return response
