"""Assistance pages under /assistance/: criteria, plans, selections and receipts; imports of
completed distribution lists; reports."""

from django.urls import include, path

app_name = "assistance"

urlpatterns = [
    path("", include("marsad.assistance.urls_ui")),
    path("", include("marsad.assistance.urls_import")),
    path("reports/", include("marsad.assistance.urls_reports")),
]
