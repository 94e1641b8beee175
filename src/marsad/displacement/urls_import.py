"""The upload pages (master list, field submissions), included into ``displacement/urls.py``
(namespace displacement)."""

from django.urls import path

from marsad.displacement import views_import

urlpatterns = [
    path(
        "rounds/<int:number>/import/",
        views_import.masterlist_import,
        name="masterlist-import",
    ),
    path(
        "rounds/<int:number>/import-submissions/",
        views_import.submissions_import,
        name="submissions-import",
    ),
    path("xlsform/", views_import.xlsform_download, name="xlsform"),
]
