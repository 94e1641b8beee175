"""The border officer's counter: the MRZ typed or scanned, read and checked at once, the holder
screened at once, and the crossing recorded in a few keystrokes. Thin: ``counter`` reads and
screens, ``services`` write, ``selectors`` read."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marsad.border import counter, selectors, services
from marsad.border.forms import CounterForm, VisualZoneForm
from marsad.border.models import Crossing, Decision, Direction
from marsad.core.roles import Capability
from marsad.core.scoping import has_capability
from marsad.core.views import paginate

SESSION_DIRECTION = "border_counter_direction"
SESSION_POINT = "border_counter_point"


def require_border(request: HttpRequest) -> None:
    """Border records are restricted: the roles cleared for restricted records read them."""
    if not has_capability(request.user, Capability.VIEW_RESTRICTED):
        raise PermissionDenied(_("Your role does not give access to border records."))


def _points(request: HttpRequest) -> Any:
    require_border(request)
    points = selectors.recordable_points(request.user).order_by("name_en")
    if not points.exists():
        raise PermissionDenied(
            _("You are not posted at any crossing point, so you cannot record crossings.")
        )
    return points


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The border section's landing page: what the user's role opens."""
    records = has_capability(request.user, Capability.VIEW_RESTRICTED)
    aggregates = has_capability(request.user, Capability.VIEW_RECORDS) or has_capability(
        request.user, Capability.VIEW_AGGREGATES
    )
    if not records and not aggregates:
        raise PermissionDenied(_("Your role does not give access to border records."))
    context: dict[str, Any] = {"records": records, "aggregates": aggregates}
    if records:
        context["can_record"] = selectors.recordable_points(request.user).exists()
        context["open_hits"] = selectors.open_hits(request.user).count()
        context["recent"] = list(
            selectors.crossings(request.user).order_by("-crossed_at", "-pk")[:10]
        )
    return render(request, "border/index.html", context)


def _initial(request: HttpRequest, points: Any) -> dict[str, Any]:
    """Sensible defaults: the point and direction of the officer's last crossing (or their
    posting), admitted, now."""
    point = points.filter(pk=request.session.get(SESSION_POINT)).first() or points.first()
    return {
        "point": point,
        "direction": request.session.get(SESSION_DIRECTION, Direction.ENTRY),
        "decision": Decision.ADMITTED,
    }


@login_required
def counter_page(request: HttpRequest) -> HttpResponse:
    points = _points(request)
    reading = None
    if request.method == "POST":
        form = CounterForm(request.POST, points=points)
        if "read" not in request.POST and form.is_valid():
            crossing = _record(request, form)
            if crossing is not None:
                return redirect("border:counter-done", pk=crossing.pk)
        reading = counter.read_mrz(
            request.user, request.POST.get("mrz", ""), typed=_typed(request.POST)
        )
    else:
        form = CounterForm(initial=_initial(request, points), points=points)
    return render(request, "border/counter.html", {"form": form, "reading": reading})


def _typed(data: Any) -> dict[str, Any]:
    visual = VisualZoneForm(data)
    return visual.typed()


def _record(request: HttpRequest, form: CounterForm) -> Crossing | None:
    data = form.cleaned_data
    try:
        with transaction.atomic():
            crossing = services.crossing_record(
                actor=request.user,
                point=data["point"],
                direction=data["direction"],
                decision=data["decision"],
                document=form.typed_document(),
                mrz_text=data["mrz"],
                name_other_script=data.get("name_other_script") or "",
                crossed_at=data.get("crossed_at"),
                permit_type=data.get("permit_type") or "",
                permit_number=data.get("permit_number") or "",
                permit_expiry=data.get("permit_expiry"),
                purpose=data.get("purpose") or "",
                conveyance=data.get("conveyance") or "",
                notes=data.get("notes") or "",
            )
            raised = counter.screen_crossing(actor=request.user, crossing=crossing)
    except ValidationError as error:
        for field_name, problems in getattr(
            error, "message_dict", {"__all__": error.messages}
        ).items():
            target = None if field_name in ("__all__", "number") else field_name
            if target not in form.fields:
                target = None
            for problem in problems:
                form.add_error(target, problem)
        return None
    request.session[SESSION_DIRECTION] = data["direction"]
    request.session[SESSION_POINT] = data["point"].pk
    if raised.created or raised.existing:
        messages.warning(
            request,
            _("Crossing recorded. The traveller matches a watchlist: follow the action shown."),
        )
    else:
        messages.success(request, _("Crossing recorded."))
    return crossing


@login_required
@require_POST
def counter_read(request: HttpRequest) -> HttpResponse:
    """The htmx answer to every change of the MRZ or the visual-zone fields: nothing stored."""
    _points(request)
    reading = counter.read_mrz(
        request.user, request.POST.get("mrz", ""), typed=_typed(request.POST)
    )
    return render(request, "border/_reading.html", {"reading": reading})


@login_required
def counter_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The crossing just recorded, its warnings and hits, and the way back to the counter."""
    require_border(request)
    crossing = _crossing(request, pk)
    return render(
        request,
        "border/crossing_detail.html",
        {
            "crossing": crossing,
            "hits": selectors.hit_views(request.user, crossing.hits.order_by("-score")),
            "done": True,
        },
    )


def _crossing(request: HttpRequest, pk: int) -> Crossing:
    try:
        return selectors.crossing_detail(request.user, pk)
    except Crossing.DoesNotExist as error:
        raise Http404(_("No such crossing.")) from error


@login_required
def crossing_list(request: HttpRequest) -> HttpResponse:
    require_border(request)
    items = selectors.crossings(request.user).order_by("-crossed_at", "-pk")
    query = (request.GET.get("q") or "").strip()
    if query:
        items = items.filter(document__number_normalised__icontains=query.upper().replace(" ", ""))
    return render(
        request,
        "border/crossing_list.html",
        {"page": paginate(request, items), "q": query},
    )


@login_required
def crossing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_border(request)
    crossing = _crossing(request, pk)
    hits = selectors.hits(request.user).filter(crossing=crossing).order_by("-score")
    return render(
        request,
        "border/crossing_detail.html",
        {"crossing": crossing, "hits": selectors.hit_views(request.user, hits), "done": False},
    )
