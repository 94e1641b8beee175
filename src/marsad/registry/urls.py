"""Registry pages (namespace ``registry``)."""

from django.urls import path

from marsad.registry import views
from marsad.registry.urls_import import urlpatterns as import_urls

app_name = "registry"

urlpatterns = [
    path("", views.household_list, name="household-list"),
    path("register/", views.household_register, name="household-register"),
    path("possible-duplicates/", views.possible_duplicates, name="possible-duplicates"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("households/<int:pk>/merge/", views.household_merge, name="household-merge"),
    path(
        "household-merges/<int:pk>/undo/",
        views.household_merge_undo,
        name="household-merge-undo",
    ),
    path("persons/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge-undo"),
    *import_urls,
]
