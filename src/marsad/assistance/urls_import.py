"""The distribution-list upload page of a plan, included into ``assistance/urls.py``
(namespace assistance)."""

from django.urls import path

from marsad.assistance import views_import

urlpatterns = [
    path(
        "plans/<int:pk>/receipts/import/",
        views_import.receipt_import,
        name="receipt-import",
    ),
]
