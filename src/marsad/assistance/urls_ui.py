"""Assistance pages (urls_ui): criteria, plans, selections and receipts."""

from django.urls import path

from marsad.assistance import views, views_export, views_plans, views_receipts, views_selection

urlpatterns = [
    path("", views_plans.plan_list, name="plan-list"),
    path("plans/new/", views_plans.plan_create, name="plan-create"),
    path("plans/<int:pk>/", views_plans.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views_plans.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/approve/", views_plans.plan_approve, name="plan-approve"),
    path("plans/<int:pk>/close/", views_plans.plan_close, name="plan-close"),
    path("plans/<int:pk>/select/", views_selection.selection_run, name="selection-run"),
    path(
        "plans/<int:pk>/select/<uuid:run>/",
        views_selection.selection_progress,
        name="selection-progress",
    ),
    path("plans/<int:pk>/receipts/new/", views_receipts.receipt_create, name="receipt-create"),
    path("receipts/<int:pk>/", views_receipts.receipt_detail, name="receipt-detail"),
    path("receipts/<int:pk>/void/", views_receipts.receipt_void, name="receipt-void"),
    path("selections/<int:pk>/", views_selection.selection_detail, name="selection-detail"),
    path(
        "selections/<int:pk>/households/<int:household>/",
        views_selection.selection_entry,
        name="selection-entry",
    ),
    path("selections/<int:pk>/lists.xlsx", views_export.selection_xlsx, name="selection-xlsx"),
    path(
        "selections/<int:pk>/beneficiaries.pdf",
        views_export.selection_pdf,
        name="selection-pdf",
    ),
    path("criteria/", views.criteria_set_list, name="criteria-set-list"),
    path("criteria/new/", views.criteria_set_create, name="criteria-set-create"),
    path("criteria/<int:pk>/", views.criteria_set_detail, name="criteria-set-detail"),
    path("criteria/<int:pk>/edit/", views.criteria_set_edit, name="criteria-set-edit"),
    path(
        "criteria/<int:pk>/versions/new/",
        views.criteria_version_create,
        name="criteria-version-create",
    ),
    path(
        "criteria/versions/<int:pk>/",
        views.criteria_version_detail,
        name="criteria-version-detail",
    ),
]
