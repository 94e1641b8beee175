"""Sign in and out, and the user's own page (memberships, API token, language)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from marsad.accounts import services
from marsad.accounts.forms import LanguagePreferenceForm
from marsad.accounts.models import User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        if language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response


class LogoutView(auth_views.LogoutView):
    pass


def _profile_page(
    request: HttpRequest, language_form: LanguagePreferenceForm | None = None, status: int = 200
) -> HttpResponse:
    memberships = (
        request.user.memberships.filter(is_active=True)
        .select_related("organisation")
        .prefetch_related("programmes", "areas")
    )
    new_key = request.session.pop("new_api_token", None)
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": memberships,
            "has_token": Token.objects.filter(user=request.user).exists(),
            "new_key": new_key,
            "language_form": language_form
            or LanguagePreferenceForm(
                initial={"preferred_language": request.user.preferred_language}
            ),
        },
        status=status,
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _profile_page(request)


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Save the user's language; the page turns to it at once (cookie) and at every sign-in."""
    form = LanguagePreferenceForm(request.POST)
    if form.is_valid():
        chosen = form.cleaned_data["preferred_language"]
        try:
            # The user row itself, not the request's lazy wrapper around it.
            account = User.objects.get(pk=request.user.pk)
            services.user_set_language(actor=request.user, user=account, language=chosen)
        except ValidationError as error:
            form.add_error("preferred_language", error.message_dict.get("preferred_language"))
    if not form.is_valid():
        return _profile_page(request, language_form=form, status=400)
    response = redirect("accounts:profile")
    if chosen:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, chosen, samesite="Lax")
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, samesite="Lax")
    # Said in the chosen language, without switching the rest of this thread's work to it.
    with translation.override(chosen or translation.get_language()):
        messages.success(request, _("Your language preference was saved."))
    return response


@login_required
@require_POST
def token_rotate(request: HttpRequest) -> HttpResponse:
    token = services.api_token_rotate(actor=request.user, user=request.user)
    # Shown once, on the next page only.
    request.session["new_api_token"] = token.key
    messages.success(request, _("A new API token was made. Copy it now: it is shown only once."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    services.api_token_revoke(actor=request.user, user=request.user)
    messages.success(request, _("Your API token was revoked."))
    return redirect("accounts:profile")
