"""Dashboard routes, included into ``displacement/urls.py`` (namespace "displacement")."""

from django.urls import path

from marsad.displacement import views_dashboard

urlpatterns = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/data.json", views_dashboard.dashboard_data, name="dashboard-data"),
    path("dashboard/export/", views_dashboard.dashboard_export, name="dashboard-export"),
]
