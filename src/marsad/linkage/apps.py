from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "marsad.linkage"
    label = "linkage"
    verbose_name = _("Record linkage")

    def ready(self) -> None:
        from marsad.linkage.receivers import match_registered, reopen_pairs
        from marsad.registry.signals import merge_undone, persons_registered

        persons_registered.connect(match_registered, dispatch_uid="linkage.match_registered")
        merge_undone.connect(reopen_pairs, dispatch_uid="linkage.reopen_pairs")
