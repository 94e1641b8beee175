"""REST API of assistance: routes for marsad.api_router."""

ROUTES: list = []
