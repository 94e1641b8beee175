from django.urls import path

from marsad.geo import views

app_name = "geo"

urlpatterns = [
    path("", views.area_list, name="area-list"),
    path("load/", views.area_load, name="area-load"),
    path("export.csv", views.area_export, name="area-export"),
    path("<str:pcode>/", views.area_detail, name="area-detail"),
]
