"""Excel export of the filtered list: Vietnamese headers, scoped rows, formulas neutralised."""
import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from registers.exports import safe_cell_value
from registers.registry import REGISTERS

from .factories import household, make_row, petition

pytestmark = pytest.mark.django_db


def sheet_of(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(BytesIO(response.content)).active


def test_household_export_has_vietnamese_headers_and_only_the_filtered_rows_in_scope(client1, tree):
    household(tree.area1, head_name="Nông Văn Ba", year_adopted=2019)
    household(tree.area1, head_name="Năm khác", year_adopted=2018)
    household(tree.area2, head_name="Huyện khác", year_adopted=2019)
    sheet = sheet_of(client1.get(reverse("registers:export", args=["ho-ngheo-nhan-do-dau"]), {"year": 2019}))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Họ tên chủ hộ", "Khu dân cư", "Xã", "Huyện", "Tổ chức nhận đỡ đầu")
    assert len(rows) == 2
    assert rows[1][:6] == ("Nông Văn Ba", "Thôn 1.1", "Xã 1", "Huyện 1", "Hội Nông dân", 2019)
    assert rows[1][6] == "Vốn sản xuất"
    assert float(rows[1][7]) == 5.5


def test_text_that_looks_like_a_formula_is_written_as_text(client1, tree):
    """Cells starting with = + - @ get a leading apostrophe and stay strings, never formulas."""
    petition(tree.commune1, content='=HYPERLINK("http://x","bấm")', forwarded_to="@SUM(A1)")
    petition(tree.commune1, content="+84 912", forwarded_to="-1+2", received_on=datetime.date(2019, 3, 11))
    sheet = sheet_of(client1.get(reverse("registers:export", args=["kien-nghi-cu-tri"])))
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    values = {c.value for c in cells}
    assert {"'=HYPERLINK(\"http://x\",\"bấm\")", "'@SUM(A1)", "'+84 912", "'-1+2"} <= values
    assert sheet.cell(row=2, column=1).value == datetime.datetime(2019, 3, 11)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t=1"])
def test_safe_cell_value_prefixes_formula_starters(value):
    assert safe_cell_value(value) == "'" + value


def test_safe_cell_value_keeps_numbers_and_dates():
    assert safe_cell_value(-3) == -3
    assert safe_cell_value(datetime.date(2019, 1, 2)) == datetime.date(2019, 1, 2)
    assert safe_cell_value(None) is None


@pytest.mark.parametrize("slug", list(REGISTERS))
def test_every_register_exports_a_header_and_one_line_per_row(client, tree, province_staff, slug,
                                                              django_assert_max_num_queries):
    for district in (1, 2, 1):
        make_row(slug, tree, district=district)
    client.force_login(province_staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registers:export", args=[slug]))
    rows = list(sheet_of(response).iter_rows(values_only=True))
    register = REGISTERS[slug]
    assert list(rows[0]) == [str(register.heading(c)) for c in register.all_export_columns()]
    assert len(rows) == 4


def test_petition_export_shows_overdue_as_its_status(client1, tree):
    import time_machine

    petition(tree.commune1, due_on=datetime.date(2019, 4, 10))
    with time_machine.travel(datetime.datetime(2019, 5, 1, 9, tzinfo=datetime.UTC), tick=False):
        rows = list(sheet_of(client1.get(reverse("registers:export", args=["kien-nghi-cu-tri"]))).iter_rows(values_only=True))
    assert rows[0][-1] == "Trạng thái"
    assert rows[1][-1] == "Quá hạn"
