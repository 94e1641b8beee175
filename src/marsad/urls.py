"""Marsad's URL map: the UI by app, the REST API under /api/v1/, its schema and docs, the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from marsad.api_router import router

admin.site.site_header = "Marsad"
admin.site.site_title = "Marsad"

urlpatterns = [
    path("", include("marsad.core.urls")),
    path("accounts/", include("marsad.accounts.urls")),
    path("areas/", include("marsad.geo.urls")),
    path("", include("marsad.partners.urls")),
    path("displacement/", include("marsad.displacement.urls")),
    path("registry/", include("marsad.registry.urls")),
    path("linkage/", include("marsad.linkage.urls")),
    path("assistance/", include("marsad.assistance.urls")),
    path("border/", include("marsad.border.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
