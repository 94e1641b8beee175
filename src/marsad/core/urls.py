from django.urls import path

from marsad.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<uuid:pk>/", views.task_detail, name="task-detail"),
    path("audit/", views.audit_list, name="audit-list"),
]
