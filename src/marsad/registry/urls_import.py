"""The source-list upload page, included into ``registry/urls.py`` (namespace registry)."""

from django.urls import path

from marsad.registry import views_import

urlpatterns = [
    path("import/", views_import.source_list_import, name="source-import"),
]
