"""Vietnamese number and date formatting shared by pages and exported documents."""
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

DASH = "—"


def format_number(value) -> str:
    """1234567 → "1.234.567", 12.5 → "12,5" in Vietnamese; None → "—"."""
    if value is None or value == "":
        return DASH
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        value = value.normalize()
        places = max(0, -value.as_tuple().exponent)
        return number_format(value, decimal_pos=min(places, 2), use_l10n=True, force_grouping=True)
    return number_format(value, use_l10n=True, force_grouping=True)


def format_percent(value) -> str:
    if value is None or value == "":
        return DASH
    return f"{number_format(Decimal(value).quantize(Decimal('0.1')), decimal_pos=1, use_l10n=True)}%"


def date_in_words(day: datetime.date, place: str) -> str:
    """"Lạng Sơn, ngày 05 tháng 3 năm 2026": days below 10 and months 1–2 take a leading zero."""
    return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s") % {
        "place": place, "d": f"{day.day:02d}", "m": f"{day.month:02d}" if day.month < 3 else str(day.month), "y": day.year,
    }



@dataclass(frozen=True)
class ShownPercent:
    """A target's share as shown: the rounded value, its decimal places and its Vietnamese text."""

    value: Decimal | None
    places: int
    text: str

    def __str__(self):
        return self.text

    @property
    def cell(self):
        """What a spreadsheet cell holds: the number, the words of a share not shown as one ("Chưa báo cáo"), or nothing."""
        if self.value is not None:
            return self.value
        return None if self.text == DASH else self.text

    @property
    def excel_format(self) -> str:
        return "0." + "0" * self.places if self.places else "0"


def shown_percent(target, result) -> ShownPercent:
    """"78,2%" at the target's precision, "95,02%" where one decimal would read the other way; "—" without units;
    "Chưa báo cáo" when no unit of the subtree has reported (``TargetResult.nothing_reported``), never "0%".

    The one display rule of a target's share: every page, export, command and API display field uses it.
    """
    if result is None or not result.denominator:
        return ShownPercent(None, 0, DASH)
    if result.nothing_reported:
        return ShownPercent(None, 0, _("Chưa báo cáo"))
    value, places = target.display_percent(result.numerator, result.denominator)
    return ShownPercent(value, places, f"{number_format(value, decimal_pos=places, use_l10n=True)}%")


def format_target_percent(target, result) -> str:
    return shown_percent(target, result).text
