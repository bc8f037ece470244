"""Honours: a person proposed by a district for an honour of a year, decided by the province."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mattran.models import Unit


class HonourTitle(models.TextChoices):
    COMMUNITY_EXAMPLE = "GUONG_SANG", _("Gương sáng vì cộng đồng")
    MODEL_BCTMT_HEAD = "TRUONG_BCTMT", _("Trưởng Ban công tác Mặt trận tiêu biểu")
    MODEL_COMMUNE_CHAIR = "CHU_TICH_XA", _("Chủ tịch Ủy ban MTTQ cấp xã tiêu biểu")


class NominationStatus(models.TextChoices):
    PROPOSED = "PROPOSED", _("Đề nghị")
    APPROVED = "APPROVED", _("Được công nhận")
    DECLINED = "DECLINED", _("Không công nhận")


class Nomination(models.Model):
    """A district's nomination of a person for an honour, decided by the province."""

    title = models.CharField(_("danh hiệu"), max_length=20, choices=HonourTitle.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    person_name = models.CharField(_("họ và tên"), max_length=200)
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="nominations")
    nominated_by = models.ForeignKey(
        Unit, verbose_name=_("đơn vị đề nghị"), on_delete=models.PROTECT, related_name="nominations_made"
    )
    reason = models.TextField(_("thành tích, lý do đề nghị"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.PROPOSED)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_note = models.TextField(_("ghi chú quyết định"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người quyết định"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đề nghị danh hiệu")
        verbose_name_plural = _("đề nghị danh hiệu")
        ordering = ["-year", "title", "person_name"]
        constraints = [
            models.UniqueConstraint(fields=["title", "year", "person_name", "unit"], name="emulation_nomination_unique"),
            models.CheckConstraint(
                condition=Q(status="PROPOSED") | Q(decided_on__isnull=False), name="emulation_nomination_decided_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.person_name} · {self.get_title_display()} {self.year}"
