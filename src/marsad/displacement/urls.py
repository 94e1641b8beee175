"""Pages for displacement tracking (mounted at /displacement/): rounds, location assessments and
their workflow; the master-list import and the dashboard add their own patterns below."""

from django.urls import path, re_path

from marsad.displacement import views
from marsad.displacement.urls_dashboard import urlpatterns as dashboard_urls
from marsad.displacement.urls_import import urlpatterns as import_urls

app_name = "displacement"

urlpatterns = [
    path("rounds/", views.round_list, name="round-list"),
    path("rounds/new/", views.round_create, name="round-create"),
    path("rounds/<int:number>/", views.round_detail, name="round-detail"),
    path("rounds/<int:number>/status/", views.round_status, name="round-status"),
    path(
        "rounds/<int:number>/assessments/new/",
        views.assessment_create,
        name="assessment-create",
    ),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment-edit"),
    re_path(
        r"^assessments/(?P<pk>[0-9]+)/(?P<action>submit|validate|publish|return)/$",
        views.assessment_transition,
        name="assessment-transition",
    ),
]

urlpatterns += import_urls + dashboard_urls
