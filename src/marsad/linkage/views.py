"""Linkage pages: the review queue, one pair side by side with the evidence for each field and
keyboard shortcuts for the decision (S same, D different, U unsure, N next). Thin: decisions go
through ``services``, reads through ``selectors``."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marsad.core.errors import error_text
from marsad.core.roles import Capability
from marsad.core.scoping import has_capability
from marsad.core.views import paginate
from marsad.linkage import labels, selectors, services
from marsad.linkage.models import CandidatePair, ModelVersion, PairStatus
from marsad.registry.models import NAME_PARTS


def _require_reviewer(request: HttpRequest) -> None:
    if not (
        has_capability(request.user, Capability.VIEW_PII)
        and has_capability(request.user, Capability.CHANGE_RECORDS)
    ):
        raise PermissionDenied(_("Your role may not review possible duplicates."))


class QueueFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=PairStatus.choices,
        required=False,
        initial=PairStatus.REVIEW,
    )
    minimum = forms.FloatField(
        label=gettext_lazy("Match probability at least"),
        min_value=0,
        max_value=1,
        required=False,
        help_text=gettext_lazy("Between 0 and 1, e.g. 0.9."),
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    form = QueueFilter(request.GET or {"status": PairStatus.REVIEW})
    form.is_valid()
    status = form.cleaned_data.get("status") or PairStatus.REVIEW
    items = selectors.pairs(request.user, status=status).order_by("-match_probability", "pk")
    if form.cleaned_data.get("minimum") is not None:
        items = items.filter(match_probability__gte=form.cleaned_data["minimum"])
    querystring = request.GET.copy()
    querystring.pop("page", None)
    first = selectors.next_pair(request.user)
    return render(
        request,
        "linkage/queue.html",
        {
            "form": form,
            "page": paginate(request, items),
            "counts": selectors.queue_counts(request.user),
            "statuses": PairStatus.choices,
            "querystring": querystring.urlencode(),
            "first": first,
            "model": selectors.active_model(),
        },
    )


def _pair(request: HttpRequest, pk: int) -> CandidatePair:
    pair = selectors.pairs(request.user, status=None).filter(pk=pk).first()
    if pair is None:
        raise Http404(_("No such pair."))
    return pair


def _sources(person: Any) -> str:
    return ", ".join(sorted({s.get_kind_display() for s in person.source_records.all()}))


def _rows(pair: CandidatePair) -> list[dict[str, Any]]:
    """The side-by-side rows: each field's value on both records and the model's evidence."""
    evidence = {item.get("field"): item for item in pair.evidence or []}
    left, right = pair.left, pair.right

    def birth(person: Any) -> str:
        if not person.birth_date:
            return ""
        if person.birth_date_precision == "day":
            return person.birth_date.isoformat()
        return str(person.birth_date.year)

    values = {name: (getattr(left, name), getattr(right, name)) for name in NAME_PARTS}
    values["sex"] = (left.get_sex_display(), right.get_sex_display())
    values["birth_date"] = (birth(left), birth(right))
    values["national_id"] = tuple(
        ", ".join(d.number for d in person.documents.all()) for person in (left, right)
    )
    values["phone"] = tuple(
        ", ".join(p.number for p in person.phones.all()) for person in (left, right)
    )
    values["origin_pcode"] = tuple(
        person.household.origin_area.pcode if person.household.origin_area_id else ""
        for person in (left, right)
    )
    values["household"] = (left.household.registration_number, right.household.registration_number)
    rows = []
    for name, (a, b) in values.items():
        item = evidence.get(name, {})
        label = item.get("label", "")
        rows.append(
            {
                "label": labels.field_label(name),
                "left": a or "",
                "right": b or "",
                "verdict": labels.verdict_of(label) if label else "",
                "level": labels.level_label(label) if label else "",
                "weight": item.get("weight"),
            }
        )
    return rows


@login_required
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reviewer(request)
    pair = _pair(request, pk)
    following = selectors.next_pair(request.user, after=pair)
    return render(
        request,
        "linkage/pair.html",
        {
            "pair": pair,
            "rows": _rows(pair),
            "sources": (_sources(pair.left), _sources(pair.right)),
            "next": following,
            "decisions": [
                (PairStatus.SAME, _("Same person"), "s"),
                (PairStatus.DIFFERENT, _("Different people"), "d"),
                (PairStatus.UNSURE, _("Unsure"), "u"),
            ],
        },
    )


@login_required
@require_POST
def pair_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reviewer(request)
    pair = _pair(request, pk)
    try:
        decided = services.pair_decide(
            actor=request.user,
            pair=pair,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("linkage:pair-detail", pk=pair.pk)
    messages.success(
        request,
        _("Decision saved: %(decision)s.")
        % {"decision": PairStatus(request.POST["decision"]).label},
    )
    household_merge = selectors.household_merge_of(decided)
    if household_merge is not None:
        messages.info(
            request,
            _(
                "Household %(merged)s had no member of its own left and was merged into "
                "household %(survivor)s; undoing the decision undoes that too."
            )
            % {
                "merged": household_merge.merged.registration_number,
                "survivor": household_merge.survivor.registration_number,
            },
        )
    following = selectors.next_pair(request.user)
    if following is not None:
        return redirect("linkage:pair-detail", pk=following.pk)
    return redirect("linkage:queue")


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    """The runs of the model over the registry and the trained models; IM officers and system
    administrators start a full run and choose the model in use."""
    _require_reviewer(request)
    may_run = has_capability(request.user, Capability.CHANGE_REFERENCE)
    return render(
        request,
        "linkage/runs.html",
        {
            "page": paginate(request, selectors.runs().order_by("-created_at"), per_page=20),
            "models": ModelVersion.objects.order_by("-version")[:10],
            "may_run": may_run,
            "querystring": "",
            "counts": selectors.queue_counts(request.user),
        },
    )


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    from marsad.linkage import tasks

    run = tasks.full_run_start(actor=request.user)
    messages.info(request, _("The registry is being compared; this page follows the run."))
    return redirect("core:task-detail", pk=run.pk)


@login_required
@require_POST
def model_activate(request: HttpRequest, version: int) -> HttpResponse:
    _require_reviewer(request)
    model = ModelVersion.objects.filter(version=version).first()
    if model is None:
        raise Http404(_("No such model."))
    services.model_activate(actor=request.user, model=model)
    messages.success(
        request, _("Model v%(version)d is now used for matching.") % {"version": model.version}
    )
    return redirect("linkage:runs")
