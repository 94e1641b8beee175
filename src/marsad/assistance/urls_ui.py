"""Assistance pages (urls_ui): filled by the views of this part."""

urlpatterns: list = []
