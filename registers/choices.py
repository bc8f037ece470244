"""The choices of the registers' fields (kinds, sources, statuses, levels)."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class SupportKind(models.TextChoices):
    HOUSING = "HOUSING", _("Nhà ở")
    CAPITAL = "CAPITAL", _("Vốn sản xuất")
    SEEDS_LIVESTOCK = "SEEDS_LIVESTOCK", _("Cây, con giống")
    CASH = "CASH", _("Tiền mặt")
    WORKDAYS = "WORKDAYS", _("Ngày công")
    OTHER = "OTHER", _("Khác")


class PetitionSource(models.TextChoices):
    VOTER_CONTACT = "VOTER_CONTACT", _("Tiếp xúc cử tri")
    DIRECT = "DIRECT", _("Trực tiếp")


class PetitionStatus(models.TextChoices):
    PENDING = "PENDING", _("Đang chờ")
    ANSWERED = "ANSWERED", _("Đã trả lời")
    RESOLVED = "RESOLVED", _("Đã giải quyết")


class SupervisionKind(models.TextChoices):
    SUPERVISION = "SUPERVISION", _("Giám sát")
    CRITICISM = "CRITICISM", _("Phản biện xã hội")


class SelfManagementKind(models.TextChoices):
    ENVIRONMENT = "ENVIRONMENT", _("Môi trường")
    SECURITY = "SECURITY", _("An ninh trật tự")
    CULTURE = "CULTURE", _("Văn hóa")
    POVERTY = "POVERTY", _("Giảm nghèo")


class ModelStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("Đang hoạt động")
    STOPPED = "STOPPED", _("Ngừng hoạt động")


class TrainingLevel(models.TextChoices):
    PROVINCE = "PROVINCE", _("Cấp tỉnh")
    DISTRICT = "DISTRICT", _("Cấp huyện")
    COMMUNE = "COMMUNE", _("Cấp xã")


class DiplomacyKind(models.TextChoices):
    EXCHANGE = "EXCHANGE", _("Giao lưu")
    TWINNING = "TWINNING", _("Kết nghĩa")
    RECEPTION = "RECEPTION", _("Tiếp đoàn")
    VISIT = "VISIT", _("Đi thăm, làm việc")
    OTHER = "OTHER", _("Khác")
