"""The supervisor's queue of open screening hits and the page of one hit, where it is cleared
or confirmed with a note. The watchlist entry (its reason) and the listed person's names,
birth date and documents in the explanation are shown only to readers cleared for the list's
sensitivity (``selectors.readable_entries`` decides, ``selectors.hit_views`` applies it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from marsad.border import selectors, services
from marsad.border.forms import HitDecisionForm
from marsad.border.models import HitStatus, ScreeningHit
from marsad.border.views import require_border
from marsad.core.views import paginate


@login_required
def hit_list(request: HttpRequest) -> HttpResponse:
    require_border(request)
    status = request.GET.get("status") or HitStatus.OPEN
    if status not in HitStatus.values:
        status = HitStatus.OPEN
    if status == HitStatus.OPEN:
        items = selectors.open_hits(request.user)
    else:
        items = selectors.hits(request.user).filter(status=status).order_by("-decided_at", "-pk")
    page = paginate(request, items)
    return render(
        request,
        "border/hit_list.html",
        {
            "page": page,
            "rows": selectors.hit_views(request.user, page.object_list),
            "status": status,
            "statuses": HitStatus.choices,
            "querystring": f"status={status}",
        },
    )


@login_required
def hit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_border(request)
    try:
        view = selectors.hit_detail(request.user, pk)
    except ScreeningHit.DoesNotExist as error:
        raise Http404(_("No such hit.")) from error
    hit = view.hit
    may_decide = hit.status == HitStatus.OPEN and services.may_decide_hit(request.user, hit)
    form = HitDecisionForm(request.POST or None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied(_("You may not decide this hit."))
        if form.is_valid():
            try:
                services.hit_decide(
                    actor=request.user,
                    hit=hit,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                for problems in error.message_dict.values():
                    for problem in problems:
                        form.add_error(None, problem)
            else:
                messages.success(request, _("The hit is decided."))
                return redirect("border:hit-list")
    history = []
    if hit.crossing is not None and hit.crossing.traveller_id:
        history = list(
            selectors.traveller_history(request.user, hit.crossing.traveller).exclude(
                pk=hit.crossing_id
            )[:10]
        )
    return render(
        request,
        "border/hit_detail.html",
        {
            "hit": hit,
            "entry": view.entry,
            "form": form,
            "may_decide": may_decide,
            "history": history,
            "explanation": view.explanation,
        },
    )
