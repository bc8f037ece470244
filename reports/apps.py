from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo và chỉ tiêu")

    def ready(self):
        from programs.models import register_value_kinds_source
        from reports import cache, checks, receivers  # noqa: F401  (checks registers the system check)
        from reports.submissions import selectors
        from reports.targets import signals as target_signals

        cache.connect_signals()
        receivers.connect_signals()
        target_signals.connect_signals()
        register_value_kinds_source(selectors.indicator_row_kinds)
