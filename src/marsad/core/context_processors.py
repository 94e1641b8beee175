"""Template context shared by every page: the user's capabilities and the navigation they allow."""

from typing import Any

from django.http import HttpRequest

from marsad.core.navigation import navigation_for
from marsad.core.scoping import capabilities


def marsad(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    held = capabilities(user) if user is not None else frozenset()
    return {
        "marsad_capabilities": {str(capability) for capability in held},
        "marsad_navigation": navigation_for(request, held)
        if user and user.is_authenticated
        else [],
    }
