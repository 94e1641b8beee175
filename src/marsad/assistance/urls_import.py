"""Assistance pages (urls_import): filled by the views of this part."""

urlpatterns: list = []
