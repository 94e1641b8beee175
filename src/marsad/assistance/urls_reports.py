"""Assistance reports under /assistance/reports/: the report page and its downloads."""

from django.urls import path

from marsad.assistance import views_reports

urlpatterns = [
    path("", views_reports.reports_page, name="reports"),
    path("download/", views_reports.reports_download, name="reports-download"),
]
