from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MattranConfig(AppConfig):
    name = "mattran"
    verbose_name = _("Tổ chức Mặt trận")

    def ready(self):
        from . import catalogue, inprocess  # noqa: F401 (catalogue: its request signals)

        inprocess.start_if_configured()
