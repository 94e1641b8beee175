app_name = "displacement"

urlpatterns: list = []
