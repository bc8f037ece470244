"""Reading typed values from what people type or paste.

``parse_value`` turns one raw cell (a string from the grid or a CSV, or a Python value read by
openpyxl) into the indicator's typed value; a broken rule is a ``Problem``. The rules across cells
and rows are ``reports.submissions.rules``.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from programs.models import RatingLevel, ValueType

TRUE_WORDS = frozenset({"có", "co", "x", "1", "true", "yes", "c", "đúng", "dung", "y"})
FALSE_WORDS = frozenset({"không", "khong", "0", "false", "no", "k", "sai"})
NUMBER_TYPES = (ValueType.INTEGER, ValueType.DECIMAL)

_VI_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234 or 1.234.567,5
_EN_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234.5 when a dot follows
_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _norm(text: str) -> str:
    """Compare words the way people mean them: same letters and diacritics, any case."""
    return unicodedata.normalize("NFC", " ".join(str(text).split())).casefold()


def _number_from_text(text: str, value_type: str) -> Decimal:
    """Read "1.234,5" (Vietnamese), "1234.5" (plain) or "1,5" (Vietnamese decimal comma).

    A lone dot is a decimal point ("1234.5"), except in an integer column where "1.234" can only
    mean one thousand two hundred thirty-four. Several dots, or dots before a comma, group thousands.
    """
    compact = text.replace("\u00a0", "").replace(" ", "")
    if "," in compact and "." in compact:
        if compact.rfind(",") > compact.rfind("."):
            compact = compact.replace(".", "").replace(",", ".")
        elif _EN_THOUSANDS.match(compact):
            compact = compact.replace(",", "")
        else:
            raise InvalidOperation
    elif "," in compact:
        if compact.count(",") > 1:
            raise InvalidOperation
        compact = compact.replace(",", ".")
    elif compact.count(".") > 1 or (value_type == ValueType.INTEGER and _VI_THOUSANDS.match(compact)):
        if not _VI_THOUSANDS.match(compact):
            raise InvalidOperation
        compact = compact.replace(".", "")
    if not re.match(r"^[-+]?\d+(\.\d+)?$", compact):
        raise InvalidOperation
    return Decimal(compact)


def _parse_number(indicator, raw):
    if isinstance(raw, bool):
        raise ValidationError(_("“%(raw)s” không phải là số.") % {"raw": raw}, code="not_number")
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValidationError(_("Giá trị không phải là số."), code="not_number")
        number = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, (datetime.date, datetime.datetime)):
        raise ValidationError(_("Ô này cần một số, không phải một ngày."), code="not_number")
    else:
        try:
            number = _number_from_text(str(raw).strip(), indicator.value_type)
        except (InvalidOperation, ValueError):
            raise ValidationError(
                _("“%(raw)s” không phải là số (ví dụ hợp lệ: 1234 hoặc 1.234,5).") % {"raw": raw}, code="not_number"
            ) from None
    if not number.is_finite():
        raise ValidationError(_("Giá trị không phải là số."), code="not_number")
    if indicator.value_type == ValueType.INTEGER:
        if number != number.to_integral_value():
            raise ValidationError(
                _("“%(raw)s” không phải là số nguyên (chỉ số này đếm theo %(unit)s).")
                % {"raw": raw, "unit": indicator.unit_label or _("đơn vị")},
                code="not_integer",
            )
        number = int(number)
    else:
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError(
                _("“%(raw)s” có quá 2 chữ số sau dấu phẩy.") % {"raw": raw}, code="too_precise"
            )
        number = number.quantize(Decimal("0.01"))
        if abs(number) >= Decimal("1e16"):
            raise ValidationError(_("“%(raw)s” quá lớn.") % {"raw": raw}, code="too_large")
    if indicator.min_value is not None and number < indicator.min_value:
        raise ValidationError(
            _("%(value)s nhỏ hơn giá trị nhỏ nhất cho phép (%(min)s).") % {"value": raw, "min": localized_number(indicator.min_value, grouping=True)},
            code="min_value",
        )
    if indicator.max_value is not None and number > indicator.max_value:
        raise ValidationError(
            _("%(value)s lớn hơn giá trị lớn nhất cho phép (%(max)s).") % {"value": raw, "max": localized_number(indicator.max_value, grouping=True)},
            code="max_value",
        )
    return number


def _parse_bool(raw):
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float, Decimal)) and raw in (0, 1):
        return bool(raw)
    word = _norm(raw)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(
        _("“%(raw)s” không phải Có/Không (dùng: có, không, x, 1, 0, TRUE, FALSE).") % {"raw": raw}, code="not_bool"
    )


def _parse_date(raw):
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    try:
        if match := _DATE_DMY.match(text):
            return datetime.date(int(match[3]), int(match[2]), int(match[1]))
        if match := _DATE_ISO.match(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValidationError(_("Ngày “%(raw)s” không có thật.") % {"raw": raw}, code="bad_date") from None
    raise ValidationError(_("“%(raw)s” không phải ngày dạng ngày/tháng/năm (ví dụ 15/11/2019).") % {"raw": raw}, code="not_date")


def _parse_rating(indicator, raw, levels=None):
    levels = list(levels if levels is not None else indicator.rating_scale.levels.all())
    if isinstance(raw, RatingLevel):
        if raw.scale_id != indicator.rating_scale_id:
            raise ValidationError(_("“%(raw)s” không phải một mức của thang này.") % {"raw": raw.name}, code="bad_level")
        return raw
    word = _norm(raw)
    for level in levels:
        if _norm(level.name) == word or _norm(level.code) == word:
            return level
    raise ValidationError(
        _("“%(raw)s” không phải một mức xếp loại; chọn một trong: %(levels)s.")
        % {"raw": raw, "levels": ", ".join(level.name for level in levels)},
        code="bad_level",
    )


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_value(indicator, raw, *, levels=None, blank_is_false: bool = False):
    """The typed value of ``raw`` for ``indicator``; None for an empty cell.

    Numbers come back as ``int`` (INTEGER) or ``Decimal`` (DECIMAL), yes/no as ``bool``, dates as
    ``date``, ratings as the ``RatingLevel``. ``levels`` spares a query per rating cell (pass the
    scale's levels, or prefetch ``rating_scale__levels``). ``blank_is_false`` reads an empty yes/no
    cell as "không" (sheets where an ``x`` marks yes). Raises ``ValidationError`` with a Vietnamese
    message that quotes the bad value.
    """
    if is_blank(raw):
        return False if blank_is_false and indicator.value_type == ValueType.BOOLEAN else None
    value_type = indicator.value_type
    if value_type in NUMBER_TYPES:
        return _parse_number(indicator, raw)
    if value_type == ValueType.BOOLEAN:
        return _parse_bool(raw)
    if value_type == ValueType.DATE:
        return _parse_date(raw)
    if value_type == ValueType.RATING:
        return _parse_rating(indicator, raw, levels)
    return str(raw).strip()


def display_value(value) -> str:
    """How a typed value reads in messages, history and the grid."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, RatingLevel):
        return value.name
    if isinstance(value, (int, Decimal)):
        return localized_number(value, grouping=True)
    return str(value)


def localized_number(value, *, grouping: bool) -> str:
    """A number in the interface language, every decimal kept: "1.234,5" (Vietnamese), "1,234.5" (English).

    Without grouping it is what an input shows ("1234,5"), which the reader above takes back as typed.
    """
    if isinstance(value, Decimal):
        value = value.normalize()
        places = max(0, -value.as_tuple().exponent)
        if places == 0:
            value = int(value)
    else:
        places = 0
    return number_format(value, decimal_pos=places or None, use_l10n=True, force_grouping=grouping)


@dataclass(frozen=True)
class Problem:
    """A broken rule, naming the row (unit) and the column (indicator)."""

    unit: object
    indicator: object
    message: str

    def __str__(self) -> str:
        where = getattr(self.unit, "name", self.unit)
        column = getattr(self.indicator, "name", self.indicator)
        if column:
            return f"{where} – {column}: {self.message}"
        return f"{where}: {self.message}"
