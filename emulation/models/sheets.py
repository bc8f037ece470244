"""Score sheets: one unit's scores for one guide, evidence and reopenings; totals, bands and ranks are
computed by ``emulation.recompute``."""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mattran.models import Unit

from .guides import ClassificationBand, Cluster, Criterion, EmulationGuide


class SheetStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Đang tự chấm")
    SELF_SCORED = "SELF_SCORED", _("Đã tự chấm")
    REVIEWED = "REVIEWED", _("Đã thẩm định")
    FINAL = "FINAL", _("Đã quyết định")


class ScoreSheet(models.Model):
    """Bảng chấm điểm of one unit under one guide."""

    guide = models.ForeignKey(EmulationGuide, verbose_name=_("hướng dẫn"), on_delete=models.PROTECT, related_name="sheets")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="emulation_sheets")
    status = models.CharField(_("trạng thái"), max_length=12, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    total = models.DecimalField(_("tổng điểm"), max_digits=7, decimal_places=2, default=Decimal("0"))
    band = models.ForeignKey(
        ClassificationBand, verbose_name=_("xếp loại"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cụm thi đua"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sheets"
    )
    rank_in_cluster = models.PositiveIntegerField(_("hạng trong cụm"), null=True, blank=True)
    rank_in_province = models.PositiveIntegerField(_("hạng toàn tỉnh"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    self_scored_at = models.DateTimeField(_("tự chấm lúc"), null=True, blank=True)
    self_scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tự chấm"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("thẩm định lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thẩm định"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    finalized_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    finalized_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người chốt"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(_("tính lúc"), null=True, blank=True)
    # A FINAL sheet keeps its decided total; this is what the newer data would give, when it differs.
    newer_total = models.DecimalField(_("tổng điểm theo số liệu mới"), max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("bảng chấm điểm")
        verbose_name_plural = _("bảng chấm điểm")
        ordering = ["guide", "rank_in_province", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["guide", "unit"], name="emulation_sheet_unique")]

    def __str__(self):
        return f"{self.unit} · {self.guide.year}"


class Score(models.Model):
    """One criterion on one sheet: self, reviewed, final and automatic points.

    ``min_points``/``max_points`` copy the criterion's range so the database enforces it.
    """

    sheet = models.ForeignKey(ScoreSheet, verbose_name=_("bảng chấm điểm"), on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name=_("tiêu chí"), on_delete=models.PROTECT, related_name="scores")
    min_points = models.DecimalField(_("điểm tối thiểu"), max_digits=6, decimal_places=2, default=Decimal("0"), editable=False)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2, editable=False)
    self_points = models.DecimalField(_("điểm tự chấm"), max_digits=6, decimal_places=2, null=True, blank=True)
    self_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tự chấm"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    self_at = models.DateTimeField(_("tự chấm lúc"), null=True, blank=True)
    reviewed_points = models.DecimalField(_("điểm thẩm định"), max_digits=6, decimal_places=2, null=True, blank=True)
    review_comment = models.TextField(_("nhận xét thẩm định"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thẩm định"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("thẩm định lúc"), null=True, blank=True)
    final_points = models.DecimalField(_("điểm chính thức"), max_digits=6, decimal_places=2, null=True, blank=True)
    auto_points = models.DecimalField(_("điểm tự động"), max_digits=6, decimal_places=2, null=True, blank=True)
    auto_detail = models.CharField(_("căn cứ tính tự động"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("điểm")
        verbose_name_plural = _("điểm")
        ordering = ["sheet", "criterion__section__order", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="emulation_score_unique"),
            models.CheckConstraint(condition=Q(min_points__lte=0) & Q(max_points__gte=0), name="emulation_score_range"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True})
                    | (Q(**{f"{field}__gte": F("min_points")}) & Q(**{f"{field}__lte": F("max_points")})),
                    name=f"emulation_score_{field}_in_range",
                )
                for field in ("self_points", "reviewed_points", "final_points", "auto_points")
            ],
        ]

    def __str__(self):
        return f"{self.sheet} · {self.criterion.code}"

    @property
    def difference(self):
        """Self minus reviewed points, when both are given."""
        if self.self_points is None or self.reviewed_points is None:
            return None
        return self.self_points - self.reviewed_points

    def effective_points(self, status: str) -> Decimal:
        """The points that count: automatic, else final, reviewed, self, else nothing."""
        if self.criterion.is_automatic:
            return self.auto_points or Decimal("0")
        if status == SheetStatus.FINAL and self.final_points is not None:
            return self.final_points
        for value in (self.reviewed_points, self.self_points):
            if value is not None:
                return value
        return Decimal("0")


def evidence_path(instance, filename):
    return f"thi-dua/{instance.score.sheet.guide.year}/{instance.score.sheet.unit.code}/{filename}"


class Evidence(models.Model):
    """Minh chứng: a file attached to a score (pdf, jpg, png, docx, xlsx; at most 10 MB)."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tệp"), upload_to=evidence_path)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file_type = models.CharField(_("loại tệp"), max_length=10)
    size = models.PositiveIntegerField(_("dung lượng"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["uploaded_at"]
        constraints = [models.CheckConstraint(condition=Q(size__lte=10 * 1024 * 1024), name="emulation_evidence_size")]

    def __str__(self):
        return self.original_name


class SheetReopening(models.Model):
    """A record that a final sheet was reopened, by whom and why."""

    sheet = models.ForeignKey(ScoreSheet, verbose_name=_("bảng chấm điểm"), on_delete=models.CASCADE, related_name="reopenings")
    reopened_at = models.DateTimeField(_("mở lại lúc"), auto_now_add=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người mở lại"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do"))
    previous_total = models.DecimalField(_("tổng điểm trước khi mở lại"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("lần mở lại bảng điểm")
        verbose_name_plural = _("lần mở lại bảng điểm")
        ordering = ["-reopened_at"]

    def __str__(self):
        return f"{self.sheet} · {self.reopened_at:%d/%m/%Y}"
