"""Campaigns and movements (cuộc vận động, phong trào) and the indicators that measure them."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.models import Indicator, WorkProgram


class CampaignKind(models.TextChoices):
    CAMPAIGN = "CAMPAIGN", _("Cuộc vận động")
    MOVEMENT = "MOVEMENT", _("Phong trào")
    STUDY = "STUDY", _("Học tập và làm theo")


class Campaign(models.Model):
    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    kind = models.CharField(_("loại"), max_length=10, choices=CampaignKind.choices)
    program = models.ForeignKey(
        WorkProgram, verbose_name=_("chương trình"), on_delete=models.PROTECT, related_name="campaigns"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("thuộc cuộc vận động"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    indicators = models.ManyToManyField(Indicator, verbose_name=_("chỉ số"), blank=True, related_name="campaigns")
    description = models.TextField(_("mô tả"), blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("cuộc vận động, phong trào")
        verbose_name_plural = _("cuộc vận động, phong trào")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name
