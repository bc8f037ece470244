"""Areas in the browser: upload with a preview and a confirm step, bulk end and move, filters (issue 17)."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse

from mattran.models import Unit, UnitKind, UnitPlacement
from mattran.services import UnitChangeError, areas_move, units_end
from reports import constants
from reports.models import ComputationRun
from tests.factories import make_tree, make_unit

pytestmark = pytest.mark.django_db

URL = reverse("admin:mattran_unit_import_areas")
CHANGELIST = reverse("admin:mattran_unit_changelist")


@pytest.fixture
def tree():
    return make_tree(districts=2, communes=2, areas=3)


def csv_file(*lines):
    text = "\n".join(["ma_xa,ma_kdc,ten_kdc,loai,hieu_luc_tu,hieu_luc_den", *lines]) + "\n"
    return SimpleUploadedFile("kdc.csv", text.encode("utf-8"), content_type="text/csv")


def _dirty_run():
    ComputationRun.objects.create(kind=constants.RUN_KIND, year=2020)


def test_upload_previews_added_changed_and_ended_then_saves_only_on_confirm(admin_client, tree):
    """Given three areas of D1C1, a file that renames one, ends one on 31/12/2020 and adds one:
    the preview lists 1 added, 1 changed, 1 ended and saves nothing; the confirm saves it all."""
    _dirty_run()
    upload = csv_file(
        "D1C1,D1C1A1,Thôn 1.1.1 mới,thôn,,",
        "D1C1,D1C1A2,Thôn 1.1.2,thôn,,31/12/2020",
        "D1C1,D1C1A3,Thôn 1.1.3,thôn,,",
        "D1C1,D1C1A9,Thôn mới,bản,01/01/2021,",
    )
    response = admin_client.post(URL, {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Thêm mới 1, thay đổi 1, kết thúc 1, không đổi 1." in html
    assert "D1C1A9" in html and "Thôn 1.1.1 mới" in html and "31/12/2020" in html
    assert "tên: Thôn 1.1.1 → Thôn 1.1.1 mới" in html
    assert not Unit.objects.filter(code="D1C1A9").exists()
    assert Unit.objects.get(code="D1C1A2").valid_to is None
    token = admin_client.session["mattran.area_import"]["token"]

    response = admin_client.post(URL, {"token": token, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    assert Unit.objects.get(code="D1C1A9").parent.code == "D1C1"
    ended = Unit.objects.get(code="D1C1A2")
    assert ended.valid_to == datetime.date(2020, 12, 31)
    assert ended.history.latest().history_user.username == "admin"
    assert "Nhập danh mục khu dân cư" in ended.history.latest().history_change_reason
    assert ComputationRun.objects.get(year=2020).dirty  # units_changed marked the computed year
    assert "mattran.area_import" not in admin_client.session


def test_a_bad_file_is_refused_whole_with_row_numbers_in_vietnamese(admin_client, tree):
    response = admin_client.post(URL, {"file": csv_file("XX,D1C1A9,Thôn,thôn,,", "D1C1,,Thôn,làng,,")})
    html = response.content.decode()
    assert "Tệp bị từ chối (3 lỗi); không có gì được lưu" in html
    assert "Dòng 2: không có xã mã “XX”." in html and "Dòng 3: thiếu mã khu dân cư." in html
    assert "mattran.area_import" not in admin_client.session


def test_a_confirm_without_a_preview_saves_nothing(admin_client, tree):
    response = admin_client.post(URL, {"token": "forged", "confirm": "1"}, follow=True)
    assert "Phiên xem trước đã hết" in response.content.decode()


def test_the_unit_list_offers_the_upload_the_bulk_actions_and_the_filters(admin_client, tree):
    html = admin_client.get(CHANGELIST).content.decode()
    assert URL in html and "Tải lên danh mục khu dân cư" in html
    assert "Kết thúc hiệu lực vào một ngày" in html and "Chuyển khu dân cư sang xã khác từ một ngày" in html
    for title in ("cấp", "tỉnh", "huyện", "có hiệu lực ngày"):
        assert f'data-filter-title="{title}"' in html
    assert 'data-filter-title="xã"' not in html  # communes are listed once a district is chosen
    district = Unit.objects.get(code="D1")
    html = admin_client.get(CHANGELIST, {"district": district.pk}).content.decode()
    assert 'data-filter-title="xã"' in html and "Xã 1.2" in html and "Xã 2.1" not in html


def test_the_active_on_filter_hides_ended_units(admin_client, tree):
    Unit.objects.filter(code="D1C1A1").update(valid_to=datetime.date(2019, 12, 31))
    html = admin_client.get(CHANGELIST, {"active_on": "2020-12-31", "kind__exact": "AREA", "q": "D1C1A"}).content.decode()
    assert "D1C1A2" in html and "D1C1A1</a>" not in html


def test_ending_areas_from_the_list_asks_for_the_date_then_ends_them_with_history(admin_client, tree):
    _dirty_run()
    areas = list(Unit.objects.filter(code__in=["D1C1A1", "D1C1A2"]).values_list("pk", flat=True))
    page = admin_client.post(CHANGELIST, {"action": "end_on_date", "_selected_action": areas})
    assert "Ngày cuối cùng có hiệu lực" in page.content.decode()
    response = admin_client.post(
        CHANGELIST, {"action": "end_on_date", "_selected_action": areas, "apply": "1", "day": "31/12/2020"}, follow=True,
    )
    assert "Đã kết thúc 2 đơn vị" in response.content.decode()
    unit = Unit.objects.get(code="D1C1A1")
    assert unit.valid_to == datetime.date(2020, 12, 31)
    record = unit.history.latest()
    assert record.history_user.username == "admin" and record.history_change_reason == "Kết thúc hiệu lực ngày 31/12/2020"
    assert ComputationRun.objects.get(year=2020).dirty
    history = admin_client.get(reverse("admin:mattran_unit_history", args=[unit.pk])).content.decode()
    assert "Kết thúc hiệu lực ngày 31/12/2020" in history and "Người thay đổi" in history and "Lý do thay đổi" in history
    assert "Changed by" not in history and "Change reason" not in history


def test_ending_a_commune_ends_its_areas_too(tree):
    commune = Unit.objects.get(code="D1C1")
    assert units_end(units=[commune], on=datetime.date(2020, 12, 31)) == 4
    assert not Unit.objects.within(commune).filter(valid_to__isnull=True).exists()


def test_moving_areas_gives_them_a_dated_placement_under_the_new_commune(admin_client, tree):
    """A move from 1/1/2021 leaves 2020 on the old tree: the area keeps its code and its placement
    under the old commune until 31/12/2020, and is under the new one from 1/1/2021."""
    _dirty_run()
    area = Unit.objects.get(code="D1C1A1")
    response = admin_client.post(CHANGELIST, {
        "action": "move_to_commune", "_selected_action": [area.pk], "apply": "1", "commune": "D2C1", "day": "01/01/2021",
    }, follow=True)
    assert "Đã chuyển 1 khu dân cư sang Xã 2.1 từ ngày 01/01/2021." in response.content.decode()
    area.refresh_from_db()
    assert area.valid_to is None and area.parent.code == "D2C1" and area.district.code == "D2"
    placements = list(UnitPlacement.objects.filter(unit=area).order_by(F("valid_from").asc(nulls_first=True)).values_list(
        "parent__code", "district__code", "valid_from", "valid_to"))
    assert placements == [
        ("D1C1", "D1", None, datetime.date(2020, 12, 31)),
        ("D2C1", "D2", datetime.date(2021, 1, 1), None),
    ]
    assert area.history.latest().history_user.username == "admin"
    old = Unit.objects.get(code="D1C1")
    assert UnitPlacement.objects.on(datetime.date(2020, 12, 31)).within(old).filter(unit=area).exists()
    assert not UnitPlacement.objects.on(datetime.date(2021, 1, 1)).within(old).filter(unit=area).exists()
    assert ComputationRun.objects.get(year=2020).dirty


def test_a_move_to_something_that_is_not_a_commune_is_refused_in_vietnamese(tree):
    area = Unit.objects.get(code="D1C1A1")
    with pytest.raises(UnitChangeError) as error:
        areas_move(areas=[area], to=Unit.objects.get(code="D2"), on=datetime.date(2021, 1, 1))
    assert error.value.errors == ["Huyện 2 không phải cấp xã."]
    make_unit("D2C9", "Xã đã giải thể", UnitKind.COMMUNE, Unit.objects.get(code="D2"), valid_to=datetime.date(2019, 1, 1))
    with pytest.raises(UnitChangeError) as error:
        areas_move(areas=[area], to=Unit.objects.get(code="D2C9"), on=datetime.date(2021, 1, 1))
    assert "không còn hiệu lực ngày 01/01/2021" in error.value.errors[0]


def test_the_move_form_refuses_an_unknown_commune_code(admin_client, tree):
    area = Unit.objects.get(code="D1C1A1")
    html = admin_client.post(CHANGELIST, {
        "action": "move_to_commune", "_selected_action": [area.pk], "apply": "1", "commune": "NOPE", "day": "01/01/2021",
    }).content.decode()
    assert "Không có xã mã “NOPE”." in html
    assert Unit.objects.get(code="D1C1A1").valid_to is None
