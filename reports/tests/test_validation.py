"""Reading typed values from raw cells, and the rules across cells and rows."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programs.models import Indicator, ValueType
from reports.models import DataValue
from reports.periods import Period
from reports.submissions.rules import check_rows
from reports.submissions.services import submission_get_or_create
from reports.submissions.validation import parse_value
from reports.tests.factories import make_scale, make_world

INTEGER = Indicator(code="i", name="Số cuộc", value_type=ValueType.INTEGER, min_value=Decimal(0), unit_label="cuộc")
DECIMAL = Indicator(code="d", name="Tiền", value_type=ValueType.DECIMAL, min_value=None, max_value=Decimal(1000))
BOOLEAN = Indicator(code="b", name="Có/Không", value_type=ValueType.BOOLEAN)
DATE = Indicator(code="t", name="Ngày", value_type=ValueType.DATE)


@pytest.mark.parametrize("raw", ["có", "Có", "CÓ", "co", "x", "X", "1", 1, True, "TRUE", "true", "yes", "Yes", 1.0])
def test_yes_words_read_as_true(raw):
    """Every spelling of "yes" people type or Excel stores reads as True."""
    assert parse_value(BOOLEAN, raw) is True


@pytest.mark.parametrize("raw", ["không", "Không", "KHÔNG", "khong", "0", 0, False, "FALSE", "false", "no", "NO"])
def test_no_words_read_as_false(raw):
    assert parse_value(BOOLEAN, raw) is False


def test_an_empty_yes_no_cell_is_empty_unless_the_sheet_marks_yes_with_x():
    assert parse_value(BOOLEAN, "") is None
    assert parse_value(BOOLEAN, None, blank_is_false=True) is False


def test_a_word_that_is_not_yes_or_no_is_refused_with_the_accepted_words():
    with pytest.raises(ValidationError) as error:
        parse_value(BOOLEAN, "có lẽ")
    assert "có, không, x, 1, 0" in error.value.messages[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,5", Decimal("1234.50")),
        ("1234.5", Decimal("1234.50")),
        ("1234,5", Decimal("1234.50")),
        ("1,234.5", Decimal("1234.50")),
        (" 12 ", Decimal("12.00")),
        (12, Decimal("12.00")),
        (12.25, Decimal("12.25")),
        (Decimal("7.1"), Decimal("7.10")),
    ],
)
def test_numbers_read_in_vietnamese_and_plain_notation(raw, expected):
    assert parse_value(Indicator(code="d", value_type=ValueType.DECIMAL), raw) == expected


def test_an_integer_column_reads_dots_as_thousands_and_refuses_fractions():
    assert parse_value(INTEGER, "1.234") == 1234
    assert parse_value(INTEGER, "1.234.567") == 1234567
    assert parse_value(INTEGER, 7.0) == 7
    with pytest.raises(ValidationError, match="không phải là số nguyên"):
        parse_value(INTEGER, "2,5")
    with pytest.raises(ValidationError, match="không phải là số nguyên"):
        parse_value(INTEGER, 2.5)


@pytest.mark.parametrize("raw", ["abc", "12a", "1,2,3", True, datetime.date(2019, 1, 1)])
def test_text_in_a_number_cell_is_an_error(raw):
    with pytest.raises(ValidationError):
        parse_value(INTEGER, raw)


def test_bounds_come_from_the_indicator():
    with pytest.raises(ValidationError, match="nhỏ hơn giá trị nhỏ nhất"):
        parse_value(INTEGER, "-1")
    with pytest.raises(ValidationError, match="lớn hơn giá trị lớn nhất cho phép \\(1.000\\)"):
        parse_value(DECIMAL, "1.000,01")
    assert parse_value(DECIMAL, "-5") == Decimal("-5.00")


def test_dates_read_as_day_month_year_and_from_date_objects():
    assert parse_value(DATE, "15/11/2019") == datetime.date(2019, 11, 15)
    assert parse_value(DATE, "5/11/2019") == datetime.date(2019, 11, 5)
    assert parse_value(DATE, "2019-11-15") == datetime.date(2019, 11, 15)
    assert parse_value(DATE, datetime.datetime(2019, 11, 15, 8, 0)) == datetime.date(2019, 11, 15)
    with pytest.raises(ValidationError, match="không có thật"):
        parse_value(DATE, "31/02/2019")
    with pytest.raises(ValidationError, match="ngày/tháng/năm"):
        parse_value(DATE, "tháng 11")


@pytest.mark.django_db
def test_ratings_read_by_name_in_any_case_or_by_code_but_diacritics_must_match():
    scale = make_scale()
    indicator = Indicator.objects.create(code="xl", name="Xếp loại", value_type=ValueType.RATING, rating_scale=scale)
    assert parse_value(indicator, "khá").code == "kha"
    assert parse_value(indicator, "TRUNG BÌNH").code == "trung_binh"
    assert parse_value(indicator, "tot").code == "tot"  # the level's code
    with pytest.raises(ValidationError, match="Tốt, Khá, Trung bình, Yếu"):
        parse_value(indicator, "kha giỏi")
    with pytest.raises(ValidationError):
        parse_value(indicator, "Yêu")


@pytest.fixture
def world(db):
    return make_world()


def rows_of(world, **by_code):
    return {world.communes[0]: by_code}


def test_more_successful_mediations_than_cases_is_an_error_naming_row_and_column(world):
    errors, warnings = check_rows(world.monthly, "2019-05", rows_of(world, hoa_giai_vu=2, hoa_giai_thanh=3))
    assert len(errors) == 1 and not warnings
    assert str(errors[0]).startswith("Xã 000 – Hòa giải thành:")


def test_negative_counts_are_errors(world):
    errors, _ = check_rows(world.monthly, "2019-05", rows_of(world, hoa_giai_vu=-1))
    assert "không được âm" in str(errors[0])


def test_spending_more_than_raised_since_january_is_an_error(world):
    """Spent to date in the year ≤ raised to date in the year, counting earlier months stored."""
    commune = world.communes[0]
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-04", by=world.officer)
    DataValue.objects.create(indicator=world.indicators["quy_vnn_thu"], unit=commune, period="2019-04", year=2019,
                             submission=submission, value_number=Decimal(10))
    ok, _ = check_rows(world.monthly, "2019-05", rows_of(world, quy_vnn_thu=Decimal(1), quy_vnn_chi=Decimal(11)))
    too_much, _ = check_rows(world.monthly, "2019-05", rows_of(world, quy_vnn_thu=Decimal(1), quy_vnn_chi=Decimal("11.5")))
    assert ok == []
    assert "vượt số đã vận động" in str(too_much[0])


def test_both_parts_or_meal_without_holding_the_festival_is_an_error(world):
    errors, _ = check_rows(world.festival, "2019", {world.areas[0]: {"ngay_hoi_to_chuc": False, "ngay_hoi_le_va_hoi": True}})
    assert "Đủ lễ và hội" in str(errors[0])
    errors, _ = check_rows(world.festival, "2019", {world.areas[0]: {"ngay_hoi_to_chuc": True, "ngay_hoi_le_va_hoi": True}})
    assert errors == []


def test_a_festival_date_outside_1_to_18_november_is_a_warning_not_an_error(world):
    area = world.areas[0]
    errors, warnings = check_rows(
        world.festival, Period.parse("2019"), {area: {"ngay_hoi_to_chuc": True, "ngay_hoi_ngay": datetime.date(2019, 11, 20)}}
    )
    assert errors == [] and "01/11–18/11/2019" in str(warnings[0])
    _, inside = check_rows(world.festival, "2019", {area: {"ngay_hoi_ngay": datetime.date(2019, 11, 18)}})
    assert inside == []


def test_a_rating_of_another_scale_is_an_error(world):
    errors, _ = check_rows(world.rating, "2019", {world.district: {"t_xep_loai": "Khá"}})
    assert "phải là một mức" in str(errors[0])
