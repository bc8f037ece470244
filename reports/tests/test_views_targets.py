"""Targets pages: the board, the drill-down, the names behind a percentage, recompute; all scoped."""
import pytest
from django.urls import reverse

from mattran.models import OfficerRole, Unit, UnitKind
from reports.models import ComputationRun, RunStatus, SubmissionStatus, TargetResult
from reports.targets import runs
from reports.tests.computation_world import unit
from reports.tests.target_factories import festival, ratings
from tests.factories import make_officer, make_tree

pytestmark = pytest.mark.django_db
YEAR = 2019


@pytest.fixture
def world():
    """Two districts of two communes of three areas; D1 held the festival everywhere, D2C1A1 said no."""
    province = make_tree(districts=2, communes=2, areas=3)
    festival(unit("D1"), YEAR, {a: True for a in Unit.objects.filter(district__code="D1", kind=UnitKind.AREA)})
    festival(unit("D2"), YEAR, {unit("D2C1A1"): False, unit("D2C1A2"): True}, status=SubmissionStatus.SUBMITTED)
    ratings("xep_loai_bctmt", "xep_loai_bctmt", unit("D1"), 2018, {unit("D1C1A1"): "kha"})
    runs.years_recompute_inline([2018, YEAR])
    return {
        "province": province,
        "staff": make_officer("tinh", province, OfficerRole.PROVINCE_STAFF),
        "officer1": make_officer("huyen1", unit("D1")),
        "officer2": make_officer("huyen2", unit("D2")),
    }


def year_url(year=YEAR, unit_code=None):
    url = reverse("targets:year", args=[year])
    return f"{url}?unit={unit_code}" if unit_code else url


def test_the_urls_are_mounted_under_chi_tieu():
    assert reverse("targets:year", args=[2019]) == "/chi-tieu/2019/"
    assert reverse("targets:units", args=[2019, "ngay_hoi_kdc", "D1"]) == "/chi-tieu/2019/ngay_hoi_kdc/D1/"


def test_anonymous_is_sent_to_login(world, client):
    for url in (year_url(), reverse("targets:units", args=[YEAR, "ngay_hoi_kdc", "D1"]), reverse("targets:status", args=[YEAR])):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_index_opens_the_default_year(world, client):
    client.force_login(world["staff"])
    response = client.get(reverse("targets:index"))
    assert response.status_code == 302 and response["Location"].startswith("/chi-tieu/20")


def test_staff_see_each_province_target_against_its_threshold_with_a_badge(world, client):
    """The festival is 7/12 = 58.33% (Không đạt); the rating targets are not due in 2018 (Chưa đến hạn)."""
    client.force_login(world["staff"])
    page = client.get(year_url()).content.decode()
    assert "58,3%" in page and "7/12" in page and "Không đạt" in page and "Cập nhật lúc" in page
    assert "Tính lại" in page
    assert 'id="targets-trend-data"' in page and "chart.umd.min.js" in page and "<script>" not in page
    assert "Chưa đến hạn" in client.get(year_url(2018)).content.decode()


def test_the_district_table_drills_down_to_communes(world, client):
    client.force_login(world["staff"])
    page = client.get(year_url()).content.decode()
    assert 'data-unit="D1"' in page and 'data-unit="D2"' in page and "100,0%" in page
    commune_page = client.get(year_url(unit_code="D2")).content.decode()
    assert 'data-unit="D2C1"' in commune_page and 'data-unit="D1C1"' not in commune_page


def test_a_district_officer_sees_their_district_and_no_recompute_button(world, client):
    client.force_login(world["officer1"])
    page = client.get(year_url()).content.decode()
    assert "Huyện 1" in page and "100,0%" in page and "Tính lại" not in page


def test_another_districts_pages_answer_404(world, client):
    client.force_login(world["officer1"])
    assert client.get(year_url(unit_code="D2")).status_code == 404
    assert client.get(year_url(unit_code="20")).status_code == 404
    assert client.get(reverse("targets:units", args=[YEAR, "ngay_hoi_kdc", "D2C1"])).status_code == 404


def test_the_names_behind_the_percentage_are_grouped_with_links_to_their_values(world, client):
    """D2: one area met, one did not, four did not report; each links to the reporting grid."""
    client.force_login(world["officer2"])
    response = client.get(reverse("targets:units", args=[YEAR, "ngay_hoi_kdc", "D2"]))
    groups = {key: [] for key in ("met", "not_met", "not_reported")}
    for row in response.context["rows"]:
        groups[row.status].append(row.unit.code)
    assert groups == {
        "met": ["D2C1A2"], "not_met": ["D2C1A1"], "not_reported": ["D2C1A3", "D2C2A1", "D2C2A2", "D2C2A3"],
    }
    page = response.content.decode()
    assert reverse("reports:grid", args=["ngay_hoi", "D2", str(YEAR)]) in page


def test_before_the_deadline_a_projection_says_whether_the_target_can_still_be_met(world, client):
    """In D2, 2/6 reported, 1 met: 6 must meet (>95%), 5 more; 1 + 4 not reported cannot pass."""
    client.force_login(world["officer2"])
    response = client.get(year_url())
    festival_row = next(r for r in response.context["rows"] if r["target"].code == "ngay_hoi_kdc")
    projection = festival_row["projection"]
    assert (projection.reported, projection.needed, projection.can_pass) == (2, 5, False)
    assert "Không thể đạt được nữa" in response.content.decode()


def test_the_board_query_count_is_small_and_does_not_grow_with_units(world, client, django_assert_max_num_queries):
    client.force_login(world["staff"])
    with django_assert_max_num_queries(15) as captured:
        assert client.get(year_url()).status_code == 200
    first = len(captured.captured_queries)
    for d in range(3, 7):
        district = Unit.objects.create(code=f"D{d}", name=f"Huyện {d}", kind=UnitKind.DISTRICT, parent=world["province"])
        for c in range(1, 4):
            commune = Unit.objects.create(code=f"D{d}C{c}", name="Xã", kind=UnitKind.COMMUNE, parent=district)
            Unit.objects.create(code=f"D{d}C{c}A1", name="Thôn", kind=UnitKind.AREA, parent=commune)
    runs.year_recompute(year=YEAR)
    with django_assert_max_num_queries(first):
        assert client.get(year_url()).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("targets:units", args=[YEAR, "ngay_hoi_kdc", "20"])).status_code == 200


def test_staff_can_ask_for_a_recompute_and_read_its_progress(world, client):
    """With no broker the recompute runs at once; the status endpoint reports DONE and full progress."""
    TargetResult.objects.all().delete()
    client.force_login(world["staff"])
    response = client.post(reverse("targets:recompute", args=[YEAR]), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["queued"] is True
    status = client.get(reverse("targets:status", args=[YEAR])).json()
    assert status["status"] == RunStatus.DONE and status["percent"] == 100 and status["dirty"] is False
    assert TargetResult.objects.filter(year=YEAR).exists()


def test_a_district_officer_cannot_ask_for_a_recompute(world, client):
    client.force_login(world["officer1"])
    ComputationRun.objects.all().delete()
    assert client.post(reverse("targets:recompute", args=[YEAR])).status_code == 403
    assert not ComputationRun.objects.exists()
