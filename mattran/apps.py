from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MattranConfig(AppConfig):
    name = "mattran"
    verbose_name = _("Tổ chức Mặt trận")

    def ready(self):
        from . import copies, inprocess  # noqa: F401 (copies: its request signals)

        inprocess.start_if_configured()
