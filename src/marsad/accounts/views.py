"""Sign in and out, and the user's own page (memberships, API token, language)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from marsad.accounts import services


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        if language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
            translation.activate(language)
        return response


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def profile(request: HttpRequest) -> HttpResponse:
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
        },
    )


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
