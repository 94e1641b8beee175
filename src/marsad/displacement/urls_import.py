"""The master-list upload page, included into ``displacement/urls.py`` (namespace displacement)."""

from django.urls import path

from marsad.displacement import views_import

urlpatterns = [
    path(
        "rounds/<int:number>/import/",
        views_import.masterlist_import,
        name="masterlist-import",
    ),
]
