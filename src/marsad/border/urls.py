"""Border pages: the counter, crossings, the hits queue, DAFEC cases, watchlists (and their
import) and the flow statistics."""

from django.urls import path

from marsad.border import views, views_cases, views_flows, views_hits, views_watchlists

app_name = "border"

urlpatterns = [
    path("", views.index, name="index"),
    path("counter/", views.counter_page, name="counter"),
    path("counter/read/", views.counter_read, name="counter-read"),
    path("counter/recorded/<int:pk>/", views.counter_done, name="counter-done"),
    path("crossings/", views.crossing_list, name="crossing-list"),
    path("crossings/<int:pk>/", views.crossing_detail, name="crossing-detail"),
    path("hits/", views_hits.hit_list, name="hit-list"),
    path("hits/<int:pk>/", views_hits.hit_detail, name="hit-detail"),
    path("cases/", views_cases.case_list, name="case-list"),
    path("cases/open/<int:crossing>/", views_cases.case_open, name="case-open"),
    path(
        "cases/open/document/<int:document>/",
        views_cases.case_open_document,
        name="case-open-document",
    ),
    path("cases/<int:pk>/", views_cases.case_detail, name="case-detail"),
    path("cases/<int:pk>/close/", views_cases.case_close, name="case-close"),
    path("watchlists/", views_watchlists.watchlist_list, name="watchlist-list"),
    path("watchlists/<int:pk>/", views_watchlists.watchlist_detail, name="watchlist-detail"),
    path(
        "watchlists/<int:pk>/import/",
        views_watchlists.watchlist_import,
        name="watchlist-import",
    ),
    path("flows/", views_flows.flows, name="flows"),
    path("flows/export/", views_flows.flows_export, name="flows-export"),
]
