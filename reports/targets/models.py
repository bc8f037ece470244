"""Models of the targets: computed results, indicator roll-ups and the run record of each (kind, year).

Imported at the end of ``reports/models.py`` so they belong to the ``reports`` app (tables unchanged).
"""
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mattran.models import Unit
from programs.models import Indicator, Target
from reports.constants import RunStatus


class TargetResult(models.Model):
    """A target's outcome for one unit's subtree and year, computed by Celery."""

    # No separate index on target: the unique (target, unit, year) index leads with it. The table is
    # kept half empty (fillfactor 50, migration 0007) so a recompute's updates stay on their page and
    # write no index entry (PostgreSQL HOT updates): none of the indexed columns ever changes.
    target = models.ForeignKey(Target, verbose_name=_("chỉ tiêu"), on_delete=models.CASCADE, related_name="results", db_index=False)
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="target_results")
    year = models.PositiveSmallIntegerField(_("năm"))
    numerator = models.PositiveIntegerField(_("số đạt"))
    denominator = models.PositiveIntegerField(_("tổng số"))
    percent = models.DecimalField(_("tỷ lệ"), max_digits=5, decimal_places=2, null=True)
    achieved = models.BooleanField(_("đạt"))
    due = models.BooleanField(_("đến hạn"))
    not_reported = models.PositiveIntegerField(_("chưa báo cáo"))
    not_approved = models.PositiveIntegerField(_("chưa duyệt"), default=0)
    computed_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("kết quả chỉ tiêu")
        verbose_name_plural = _("kết quả chỉ tiêu")
        constraints = [models.UniqueConstraint(fields=["target", "unit", "year"], name="targetresult_unique")]
        indexes = [models.Index(fields=["year", "unit"])]

    def __str__(self):
        return f"{self.target.code} · {self.unit.code} · {self.year}"

    @property
    def nothing_reported(self) -> bool:
        """No counted unit of the subtree has a counted value (submitted or approved) this year.

        Its 0% is not a result: pages and exports show "Chưa báo cáo", never "0% Không đạt".
        """
        return self.denominator > 0 and self.not_reported >= self.denominator


class IndicatorAggregate(models.Model):
    """An indicator rolled up to an ancestor unit and a longer period, kept by Celery."""

    # No separate index on indicator: the unique (indicator, unit, period) index leads with it, and
    # every extra index slows the national roll-up's millions of inserts. No foreign-key constraint
    # in the database either (a check per inserted row): the rows are derived, written only by the
    # roll-up from values whose own keys are checked, and Django still applies on_delete. No index on
    # unit alone either (39 MB nationally, never scanned: every read names the indicator, see
    # aggregate_values); units are never deleted once data refers to them, so the PROTECT check
    # that would use it does not run. The unique index serves reads by indicator, unit and period;
    # (year, indicator, unit) the roll-up's replace of a year and the dashboard's reads of a year.
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ số"), on_delete=models.CASCADE, related_name="aggregates", db_index=False, db_constraint=False,
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="aggregates", db_constraint=False, db_index=False,
    )
    period = models.CharField(_("kỳ báo cáo"), max_length=10)
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=2, null=True)
    reporting_units = models.PositiveIntegerField(_("số đơn vị có số liệu"), default=0)
    computed_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("số liệu tổng hợp")
        verbose_name_plural = _("số liệu tổng hợp")
        constraints = [models.UniqueConstraint(fields=["indicator", "unit", "period"], name="aggregate_unique")]
        indexes = [models.Index(fields=["year", "indicator", "unit"])]

    def __str__(self):
        return f"{self.indicator.code} · {self.unit.code} · {self.period}"


class ComputationRunQuerySet(models.QuerySet):
    def claim_dirty_years(self, *, kind: str, lost_after) -> list[int]:
        """The dirty years of ``kind`` with no run queued, or one queued longer than ``lost_after``
        ago and taken as lost; each is marked queued now (the caller queues its run)."""
        now = timezone.now()
        runs = self.filter(kind=kind, dirty=True).filter(
            Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lt=now - lost_after)
        )
        years = list(runs.order_by("year").values_list("year", flat=True))
        self.filter(kind=kind, year__in=years).update(last_enqueued_at=now)
        return years


class ComputationRun(models.Model):
    """The run record of a (kind, year) computation: dirty flag, STARTED/DONE, progress."""

    kind = models.CharField(_("loại"), max_length=20, default="targets")
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=RunStatus.choices, default=RunStatus.DONE)
    dirty = models.BooleanField(_("cần tính lại"), default=False)
    dirty_since = models.DateTimeField(_("cần tính lại từ"), null=True, blank=True)
    last_enqueued_at = models.DateTimeField(_("xếp hàng lúc"), null=True, blank=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    progress = models.PositiveIntegerField(_("tiến độ"), default=0)
    total = models.PositiveIntegerField(_("tổng số"), default=0)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    task_id = models.CharField(_("mã tác vụ"), max_length=64, blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    objects = ComputationRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần tính")
        verbose_name_plural = _("lần tính")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="computationrun_unique")]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.get_status_display()}"
