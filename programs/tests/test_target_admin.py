"""The target admin refuses incoherent set-ups with a Vietnamese message (issue 17)."""
import html

import pytest
from django.urls import reverse

from programs.models import Indicator, RatingLevel, Target, WorkProgram

pytestmark = pytest.mark.django_db


def _post(client, **changes):
    data = {
        "code": "thu_nghiem", "name": "Chỉ tiêu thử", "program": WorkProgram.objects.get(number=1).pk,
        "indicator": Indicator.objects.get(code="ngay_hoi_to_chuc").pk, "counted_kinds": ["AREA"],
        "condition": "IS_TRUE", "rating_level": "", "number_threshold": "", "operator": "GT",
        "threshold_percent": "95", "first_year": "2016", "last_year": "2020", "due_year": "",
        "display_precision": "1", "description": "",
    }
    data.update(changes)
    response = client.post(reverse("admin:programs_target_add"), data)
    return response, html.unescape(response.content.decode())


def test_a_coherent_target_is_saved_with_its_counted_levels(admin_client):
    response, _ = _post(admin_client)
    assert response.status_code == 302
    target = Target.objects.get(code="thu_nghiem")
    assert target.counted_kinds == ["AREA"] and target.display_precision == 1


def test_counted_levels_are_vietnamese_checkboxes_not_a_json_box(admin_client):
    page = html.unescape(admin_client.get(reverse("admin:programs_target_add")).content.decode())
    assert 'type="checkbox" name="counted_kinds" value="AREA"' in page
    assert "Khu dân cư" in page and "Xã" in page
    assert "[\"AREA\"]" not in page


def test_is_true_on_a_rating_indicator_is_refused(admin_client):
    response, page = _post(admin_client, indicator=Indicator.objects.get(code="xep_loai_bctmt").pk)
    assert response.status_code == 200 and not Target.objects.filter(code="thu_nghiem").exists()
    assert "Điều kiện “Giá trị là Có” không dùng được cho chỉ số “Xếp loại Ban công tác Mặt trận khu dân cư” " \
           "(kiểu xếp loại); dùng được cho kiểu: có/không." in page


def test_number_condition_on_a_yes_no_indicator_is_refused(admin_client):
    response, page = _post(admin_client, condition="NUMBER_AT_LEAST", number_threshold="1")
    assert response.status_code == 200
    assert "Điều kiện “Số từ … trở lên” không dùng được cho chỉ số" in page
    assert "dùng được cho kiểu: số thập phân, số nguyên." in page


def test_rating_condition_on_a_yes_no_indicator_is_refused(admin_client):
    level = RatingLevel.objects.get(scale__code="bctmt", code="kha")
    response, page = _post(admin_client, condition="RATING_AT_LEAST", rating_level=level.pk)
    assert response.status_code == 200
    assert "Điều kiện “Xếp loại từ mức … trở lên” không dùng được cho chỉ số" in page


def test_a_level_of_another_scale_is_refused(admin_client):
    other = RatingLevel.objects.get(scale__code="mttq", code="vung_manh")
    response, page = _post(
        admin_client, indicator=Indicator.objects.get(code="xep_loai_bctmt").pk,
        condition="RATING_AT_LEAST", rating_level=other.pk,
    )
    assert response.status_code == 200
    assert "Mức “Vững mạnh” không thuộc thang xếp loại của chỉ số (Xếp loại Ban công tác Mặt trận)." in page


def test_a_counted_level_without_values_of_the_indicator_is_refused(admin_client):
    """The festival is recorded per residential area: counting communes would give 0/N without a word."""
    response, page = _post(admin_client, counted_kinds=["AREA", "COMMUNE"])
    assert response.status_code == 200
    assert "Cấp xã không có giá trị của chỉ số “Khu dân cư tổ chức Ngày hội Đại đoàn kết toàn dân tộc”: " \
           "các biểu mẫu nhập chỉ số này cho cấp khu dân cư." in page


def test_an_indicator_in_no_form_is_refused_with_what_to_do(admin_client):
    indicator = Indicator.objects.create(code="moi", name="Chỉ số mới", value_type="BOOLEAN")
    response, page = _post(admin_client, indicator=indicator.pk)
    assert response.status_code == 200
    assert "Chỉ số “Chỉ số mới” chưa có trong biểu mẫu báo cáo nào" in page


def test_no_counted_level_is_refused_in_vietnamese(admin_client):
    response, page = _post(admin_client, counted_kinds=[])
    assert response.status_code == 200
    assert "Chọn ít nhất một cấp được tính." in page


@pytest.mark.parametrize("field, year", [("first_year", "2014"), ("last_year", "2021")])
def test_years_outside_the_plan_are_refused(admin_client, field, year):
    response, page = _post(admin_client, **{field: year})
    assert response.status_code == 200
    assert f"Năm {year} nằm ngoài nhiệm kỳ của chương trình hành động (2015–2020)." in page


def test_a_due_year_outside_the_years_and_a_bad_precision_are_refused(admin_client):
    response, page = _post(admin_client, due_year="2021", display_precision="7")
    assert response.status_code == 200
    assert "Năm đánh giá phải nằm trong khoảng năm tính." in page
    assert "Enter a valid" not in page and "Ensure this value" not in page and "Please correct" not in page
    assert "Vui lòng sửa các lỗi dưới đây." in page
