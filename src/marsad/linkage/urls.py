"""Linkage pages (namespace ``linkage``)."""

from django.urls import path

from marsad.linkage import views

app_name = "linkage"

urlpatterns = [
    path("", views.runs, name="runs"),
    path("runs/start/", views.run_start, name="run-start"),
    path("models/<int:version>/activate/", views.model_activate, name="model-activate"),
    path("review/", views.queue, name="queue"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair-detail"),
    path("pairs/<int:pk>/decide/", views.pair_decide, name="pair-decide"),
]
