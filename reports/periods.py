"""Reporting periods in one notation: ``2019``, ``2019-H1``, ``2019-Q3``, ``2019-11``, ``2019-9M``."""
from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    MONTHLY = "MONTHLY", _("Tháng")
    QUARTERLY = "QUARTERLY", _("Quý")
    HALF_YEAR = "HALF_YEAR", _("6 tháng")
    NINE_MONTHS = "NINE_MONTHS", _("9 tháng")
    YEARLY = "YEARLY", _("Năm")


_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4])|H(?P<half>[12])|(?P<nine>9M)))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    first_month: int
    last_month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read the notation; raise ValueError with a Vietnamese message when it is not one."""
        match = _PATTERN.match((text or "").strip())
        if not match:
            raise ValueError(
                _("Kỳ báo cáo “%(text)s” không hợp lệ; dùng 2019, 2019-H1, 2019-Q3, 2019-11 hoặc 2019-9M.")
                % {"text": text}
            )
        year = int(match["year"])
        if match["month"]:
            month = int(match["month"])
            return cls(year, month, month)
        if match["quarter"]:
            quarter = int(match["quarter"])
            return cls(year, 3 * quarter - 2, 3 * quarter)
        if match["half"]:
            half = int(match["half"])
            return cls(year, 6 * half - 5, 6 * half)
        if match["nine"]:
            return cls(year, 1, 9)
        return cls(year, 1, 12)

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls(year, 1, 12)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, month, month)

    @property
    def type(self) -> str:
        span = self.last_month - self.first_month + 1
        if span == 1:
            return PeriodType.MONTHLY
        if span == 3 and self.first_month % 3 == 1:
            return PeriodType.QUARTERLY
        if span == 6 and self.first_month in (1, 7):
            return PeriodType.HALF_YEAR
        if span == 9 and self.first_month == 1:
            return PeriodType.NINE_MONTHS
        if span == 12:
            return PeriodType.YEARLY
        raise ValueError(f"not a standard period: {self!r}")

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def months(self) -> list[Period]:
        return [Period.month(self.year, m) for m in range(self.first_month, self.last_month + 1)]

    def previous(self) -> Period:
        """The period of the same type just before this one."""
        span = self.last_month - self.first_month + 1
        if self.type in (PeriodType.NINE_MONTHS, PeriodType.YEARLY):
            return Period(self.year - 1, self.first_month, self.last_month)
        first = self.first_month - span
        if first < 1:
            return Period(self.year - 1, first + 12, first + 12 + span - 1)
        return Period(self.year, first, first + span - 1)

    def __str__(self) -> str:
        kind = self.type
        if kind == PeriodType.MONTHLY:
            return f"{self.year}-{self.first_month:02d}"
        if kind == PeriodType.QUARTERLY:
            return f"{self.year}-Q{(self.first_month + 2) // 3}"
        if kind == PeriodType.HALF_YEAR:
            return f"{self.year}-H{1 if self.first_month == 1 else 2}"
        if kind == PeriodType.NINE_MONTHS:
            return f"{self.year}-9M"
        return str(self.year)

    def label(self) -> str:
        """How the period reads on screen in the active language."""
        kind = self.type
        if kind == PeriodType.MONTHLY:
            return _("Tháng %(m)s/%(y)s") % {"m": self.first_month, "y": self.year}
        if kind == PeriodType.QUARTERLY:
            return _("Quý %(q)s/%(y)s") % {"q": (self.first_month + 2) // 3, "y": self.year}
        if kind == PeriodType.HALF_YEAR:
            if self.first_month == 1:
                return _("6 tháng đầu năm %(y)s") % {"y": self.year}
            return _("6 tháng cuối năm %(y)s") % {"y": self.year}
        if kind == PeriodType.NINE_MONTHS:
            return _("9 tháng năm %(y)s") % {"y": self.year}
        return _("Năm %(y)s") % {"y": self.year}

    @classmethod
    def all_in_year(cls, year: int, period_type: str) -> list[Period]:
        if period_type == PeriodType.MONTHLY:
            return [cls.month(year, m) for m in range(1, 13)]
        if period_type == PeriodType.QUARTERLY:
            return [cls(year, 3 * q - 2, 3 * q) for q in range(1, 5)]
        if period_type == PeriodType.HALF_YEAR:
            return [cls(year, 1, 6), cls(year, 7, 12)]
        if period_type == PeriodType.NINE_MONTHS:
            return [cls(year, 1, 9)]
        return [cls.year_of(year)]
