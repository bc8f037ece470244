from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmulationConfig(AppConfig):
    name = "emulation"
    verbose_name = _("Thi đua")

    def ready(self):
        from reports.signals import target_results_changed

        from .services import on_target_results_changed

        # The chain: every change of target results brings the year's score sheets up to date.
        target_results_changed.connect(on_target_results_changed, dispatch_uid="emulation.scores_follow_targets")
