"""Pages for organisations and programmes (mounted at the site root)."""

from django.urls import path, re_path

from marsad.partners import views

app_name = "partners"

CODE = r"(?P<code>[A-Z0-9][A-Z0-9-]{0,31})"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    re_path(rf"^organisations/{CODE}/$", views.organisation_detail, name="organisation-detail"),
    re_path(rf"^organisations/{CODE}/edit/$", views.organisation_edit, name="organisation-edit"),
    re_path(
        rf"^organisations/{CODE}/delete/$", views.organisation_delete, name="organisation-delete"
    ),
    re_path(
        rf"^organisations/{CODE}/focal-points/new/$",
        views.contact_create,
        name="contact-create",
    ),
    re_path(
        rf"^organisations/{CODE}/focal-points/(?P<pk>[0-9]+)/$",
        views.contact_detail,
        name="contact-detail",
    ),
    re_path(
        rf"^organisations/{CODE}/focal-points/(?P<pk>[0-9]+)/edit/$",
        views.contact_edit,
        name="contact-edit",
    ),
    re_path(
        rf"^organisations/{CODE}/focal-points/(?P<pk>[0-9]+)/delete/$",
        views.contact_delete,
        name="contact-delete",
    ),
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/new/", views.programme_create, name="programme-create"),
    path("programmes/funding.csv", views.funding_export, name="funding-export"),
    re_path(rf"^programmes/{CODE}/$", views.programme_detail, name="programme-detail"),
    re_path(rf"^programmes/{CODE}/edit/$", views.programme_edit, name="programme-edit"),
    re_path(rf"^programmes/{CODE}/funding/new/$", views.funding_create, name="funding-create"),
    re_path(
        rf"^programmes/{CODE}/funding/(?P<pk>[0-9]+)/edit/$",
        views.funding_edit,
        name="funding-edit",
    ),
    re_path(
        rf"^programmes/{CODE}/funding/(?P<pk>[0-9]+)/delete/$",
        views.funding_delete,
        name="funding-delete",
    ),
]
