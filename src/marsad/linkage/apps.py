from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "marsad.linkage"
    label = "linkage"
    verbose_name = _("Record linkage")
