from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "marsad.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from marsad.core import signals  # noqa: F401  (connects login auditing)


class MarsadAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "marsad.core.admin.MarsadAdminSite"
