"""DAFEC document examination cases: the list, opening a case on a crossing's document (or on a
document alone), the case page with the features-examined checklist, findings and referral,
and closing it with its outcome."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.border import selectors, services
from marsad.border.forms import CaseCloseForm, CaseOpenForm, CaseUpdateForm
from marsad.border.models import (
    EXAMINATION_FEATURES,
    CaseStatus,
    Crossing,
    DocumentExaminationCase,
    FeatureFinding,
    TravelDocument,
)
from marsad.border.views import require_border
from marsad.core.scoping import CHANGE, can
from marsad.core.views import paginate


def _errors(form: Any, error: ValidationError) -> None:
    problems = getattr(error, "message_dict", None) or {"__all__": error.messages}
    for name, messages_ in problems.items():
        for problem in messages_:
            form.add_error(name if name in form.fields else None, problem)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    require_border(request)
    status = request.GET.get("status") or ""
    items = selectors.examinations(request.user).order_by("-created_at", "-pk")
    if status in CaseStatus.values:
        items = items.filter(status=status)
    return render(
        request,
        "border/case_list.html",
        {
            "page": paginate(request, items),
            "status": status,
            "statuses": CaseStatus.choices,
            "querystring": f"status={status}" if status else "",
        },
    )


def _open(
    request: HttpRequest, *, document: TravelDocument, crossing: Crossing | None
) -> HttpResponse:
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.examination_open(
                actor=request.user,
                document=document,
                crossing=crossing,
                suspicion=form.cleaned_data["suspicion"],
                findings=form.cleaned_data["findings"],
                examiner=request.user,
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect("border:case-detail", pk=case.pk)
    return render(
        request,
        "border/case_open.html",
        {"form": form, "document": document, "crossing": crossing},
    )


@login_required
def case_open(request: HttpRequest, crossing: int) -> HttpResponse:
    require_border(request)
    try:
        found = selectors.crossing_detail(request.user, crossing)
    except Crossing.DoesNotExist as error:
        raise Http404(_("No such crossing.")) from error
    return _open(request, document=found.document, crossing=found)


@login_required
def case_open_document(request: HttpRequest, document: int) -> HttpResponse:
    require_border(request)
    try:
        found = selectors.documents(request.user).get(pk=document)
    except TravelDocument.DoesNotExist as error:
        raise Http404(_("No such document.")) from error
    return _open(request, document=found, crossing=None)


def _case(request: HttpRequest, pk: int) -> DocumentExaminationCase:
    try:
        return selectors.examination_detail(request.user, pk)
    except DocumentExaminationCase.DoesNotExist as error:
        raise Http404(_("No such case.")) from error


def _checklist(case: DocumentExaminationCase) -> list[dict[str, Any]]:
    labels = dict(FeatureFinding.choices)
    rows = []
    for key, label in EXAMINATION_FEATURES.items():
        value = (case.features_examined or {}).get(key) or {}
        finding = value.get("finding", FeatureFinding.NOT_EXAMINED)
        rows.append(
            {
                "key": key,
                "label": label,
                "finding": finding,
                "finding_label": labels.get(finding, finding),
                "note": value.get("note", ""),
            }
        )
    return rows


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_border(request)
    case = _case(request, pk)
    may_change = case.status == CaseStatus.OPEN and can(request.user, CHANGE, case)
    form = CaseUpdateForm(
        request.POST or None,
        features=case.features_examined,
        initial={"findings": case.findings, "referred_to": case.referred_to},
    )
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("You may not change this case."))
        if form.is_valid():
            data: dict[str, Any] = {
                "features_examined": form.features(),
                "findings": form.cleaned_data["findings"],
            }
            referred_to = form.cleaned_data["referred_to"].strip()
            if referred_to != case.referred_to:
                data["referred_to"] = referred_to
                data["referred_at"] = timezone.now() if referred_to else None
            try:
                services.examination_update(actor=request.user, case=case, data=data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("The examination is saved."))
                return redirect("border:case-detail", pk=case.pk)
    close_form = CaseCloseForm(initial={"findings": case.findings})
    return render(
        request,
        "border/case_detail.html",
        {
            "case": case,
            "form": form,
            "close_form": close_form,
            "may_change": may_change,
            "checklist": _checklist(case),
        },
    )


@login_required
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_border(request)
    case = _case(request, pk)
    if case.status != CaseStatus.OPEN or not can(request.user, CHANGE, case):
        raise PermissionDenied(_("You may not close this case."))
    form = CaseCloseForm(request.POST or None, initial={"findings": case.findings})
    if request.method == "POST" and form.is_valid():
        try:
            services.examination_close(
                actor=request.user,
                case=case,
                outcome=form.cleaned_data["outcome"],
                findings=form.cleaned_data["findings"] or None,
                referred_to=form.cleaned_data["referred_to"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Case %(number)s closed.") % {"number": case.number})
            return redirect("border:case-detail", pk=case.pk)
    return render(request, "border/case_close.html", {"case": case, "form": form})
