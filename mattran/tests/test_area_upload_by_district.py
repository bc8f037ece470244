"""A district officer uploads the district's own areas, when the province allows it (issue 17)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mattran.models import OfficerRole, Unit
from tests.factories import make_officer, make_tree

pytestmark = pytest.mark.django_db
URL = reverse("units:upload_areas")


@pytest.fixture
def world():
    province = make_tree(districts=2, communes=1, areas=2)
    return {
        "officer": make_officer("huyen1", Unit.objects.get(code="D1")),
        "staff": make_officer("tinh", province, OfficerRole.PROVINCE_STAFF),
    }


def csv_file(*lines):
    text = "\n".join(["ma_xa,ma_kdc,ten_kdc,loai,hieu_luc_tu,hieu_luc_den", *lines]) + "\n"
    return SimpleUploadedFile("kdc.csv", text.encode("utf-8"), content_type="text/csv")


def test_the_page_is_closed_unless_the_province_allows_it(world, client, settings):
    settings.AREAS_UPLOAD_BY_DISTRICTS = False
    client.force_login(world["officer"])
    assert client.get(URL).status_code == 403
    assert reverse("units:upload_areas") not in client.get(reverse("units:detail", args=["D1"])).content.decode()


def test_only_district_officers_may_upload(world, client, settings):
    settings.AREAS_UPLOAD_BY_DISTRICTS = True
    client.force_login(world["staff"])
    assert client.get(URL).status_code == 403


def test_a_district_officer_previews_then_confirms_their_own_areas(world, client, settings):
    settings.AREAS_UPLOAD_BY_DISTRICTS = True
    client.force_login(world["officer"])
    assert URL in client.get(reverse("units:detail", args=["D1"])).content.decode()
    response = client.post(URL, {"file": csv_file("D1C1,D1C1A2,Thôn 1.1.2,thôn,,31/12/2020", "D1C1,D1C1A9,Thôn mới,thôn,,")})
    html = response.content.decode()
    assert "Thêm mới 1, thay đổi 0, kết thúc 1, không đổi 0." in html
    assert not Unit.objects.filter(code="D1C1A9").exists()
    token = client.session["mattran.area_import"]["token"]
    response = client.post(URL, {"token": token, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("units:detail", args=["D1"])
    assert Unit.objects.get(code="D1C1A9").district.code == "D1"
    assert Unit.objects.get(code="D1C1A2").history.latest().history_user.username == "huyen1"


def test_another_districts_communes_and_areas_are_refused_whole(world, client, settings):
    settings.AREAS_UPLOAD_BY_DISTRICTS = True
    client.force_login(world["officer"])
    html = client.post(URL, {"file": csv_file(
        "D2C1,D2C1A9,Thôn lạ,thôn,,", "D1C1,D2C1A1,Thôn của huyện 2,thôn,,",
    )}).content.decode()
    assert "Dòng 2: xã mã “D2C1” không thuộc Huyện 1." in html
    assert "Dòng 3: khu dân cư mã “D2C1A1” thuộc đơn vị ngoài Huyện 1." in html
    assert Unit.objects.get(code="D2C1A1").parent.code == "D2C1"
    assert not Unit.objects.filter(code="D2C1A9").exists()
