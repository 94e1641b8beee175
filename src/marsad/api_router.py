"""One router for /api/v1/: each app's ``api.py`` lists its routes in ``ROUTES``."""

from importlib import import_module

from rest_framework.routers import DefaultRouter

API_MODULES = [
    "marsad.core.api_views",
    "marsad.accounts.api",
    "marsad.geo.api",
    "marsad.partners.api",
    "marsad.displacement.api",
    "marsad.displacement.api_aggregates",
    "marsad.registry.api",
    "marsad.linkage.api",
    "marsad.assistance.api",
    "marsad.border.api",
]

router = DefaultRouter()
for module_name in API_MODULES:
    for prefix, viewset, basename in import_module(module_name).ROUTES:
        router.register(prefix, viewset, basename=basename)
