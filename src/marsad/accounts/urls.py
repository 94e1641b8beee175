from django.urls import path

from marsad.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/language/", views.language, name="language"),
    path("profile/token/", views.token_rotate, name="token-rotate"),
    path("profile/token/revoke/", views.token_revoke, name="token-revoke"),
]
