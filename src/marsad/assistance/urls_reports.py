"""Assistance pages (urls_reports): filled by the views of this part."""

urlpatterns: list = []
