from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo và chỉ tiêu")

    def ready(self):
        from . import cache, computation

        cache.connect_signals()
        computation.connect_signals()
