"""The names behind a percentage: paged, filtered by status, district or commune and name, scoped,
and the same number of queries for a commune of a few areas and a province of hundreds."""
import pytest
from django.urls import reverse

from mattran.models import OfficerRole, Unit, UnitKind
from mattran.placements import placements_sync
from reports.models import SubmissionStatus
from reports.targets import runs
from reports.targets.views import TargetUnitsView
from reports.tests.computation_world import unit
from reports.tests.target_factories import festival
from tests.factories import make_officer, make_tree

pytestmark = pytest.mark.django_db
YEAR = 2019


@pytest.fixture
def world():
    """Three districts of three communes of eight areas (72 areas): D1's all held the festival,
    in D2 C1's areas said no, C2's yes (submitted), C3 nothing; D3 nothing."""
    province = make_tree(districts=3, communes=3, areas=8)
    festival(unit("D1"), YEAR, {a: True for a in Unit.objects.filter(district__code="D1", kind=UnitKind.AREA)})
    d2 = {a: a.commune.code == "D2C2" for a in Unit.objects.filter(commune__code__in=["D2C1", "D2C2"], kind=UnitKind.AREA)}
    festival(unit("D2"), YEAR, d2, status=SubmissionStatus.SUBMITTED)
    runs.years_recompute_inline([YEAR])
    return {
        "province": province,
        "staff": make_officer("tinh", province, OfficerRole.PROVINCE_STAFF),
        "officer2": make_officer("huyen2", unit("D2")),
    }


def names(code="20", **params):
    return reverse("targets:units", args=[YEAR, "ngay_hoi_kdc", code]), params


def get(client, code="20", **params):
    url, query = names(code, **params)
    response = client.get(url, query)
    assert response.status_code == 200, response.status_code
    return response


def listed(response):
    return [row.unit.code for row in response.context["rows"]]


def test_the_list_is_paged_and_the_counts_cover_every_unit(world, client):
    client.force_login(world["staff"])
    response = get(client)
    assert response.context["counts"] == {"met": 32, "not_met": 8, "not_reported": 32}
    assert len(listed(response)) == TargetUnitsView.paginate_by == 50
    assert listed(response)[0] == "D1C1A1"
    second = get(client, page=2)
    assert len(listed(second)) == 22 and not set(listed(second)) & set(listed(response))
    page = second.content.decode()
    assert "Trang 2/2" in page and "Trang trước" in page
    # A page past the end shows the last one; a page that is not a number, the first.
    assert listed(get(client, page=99)) == listed(second)
    assert listed(get(client, page="abc")) == listed(response)


def test_each_status_lists_its_own_units_with_its_count(world, client):
    client.force_login(world["staff"])
    not_met = get(client, trang_thai="not_met")
    assert listed(not_met) == [f"D2C1A{a}" for a in range(1, 9)]
    assert {row.status for row in not_met.context["rows"]} == {"not_met"}
    assert not_met.context["page"].paginator.count == 8
    not_reported = get(client, trang_thai="not_reported", page=1)
    assert all(code.startswith(("D2C3", "D3")) for code in listed(not_reported)) and len(listed(not_reported)) == 32
    page = get(client, trang_thai="met").content.decode()
    assert 'data-status="met"' in page and 'data-status="not_met"' not in page


def test_a_district_and_then_a_commune_narrow_the_list(world, client):
    client.force_login(world["staff"])
    district = get(client, noi="D2")
    assert len(listed(district)) == 24 and all(code.startswith("D2") for code in listed(district))
    assert district.context["counts"] == {"met": 8, "not_met": 8, "not_reported": 8}
    assert 'name="xa"' in district.content.decode()  # the district's communes can now be chosen
    commune = get(client, noi="D2", xa="D2C2", trang_thai="met")
    assert listed(commune) == [f"D2C2A{a}" for a in range(1, 9)]
    assert get(client, noi="D2", xa="D2C1", trang_thai="met").context["page"].paginator.count == 0


def test_a_name_filter_finds_units_whose_name_contains_it(world, client):
    client.force_login(world["staff"])
    assert listed(get(client, ten="Thôn 3.2.")) == [f"D3C2A{a}" for a in range(1, 9)]
    assert listed(get(client, ten="thôn 1.1.8")) == ["D1C1A8"]
    assert "Không có." in get(client, ten="không tồn tại").content.decode()


@pytest.mark.parametrize(("params", "total"), [
    ({"trang_thai": "bogus"}, 72), ({"noi": "D9"}, 72), ({"noi": "D2C1"}, 72), ({"noi": "D2", "xa": "D1C1"}, 24),
    ({"ten": "x" * 101}, 72), ({"page": "-1"}, 72), ({"noi": "'; DROP TABLE x; --"}, 72), ({"xa": "D2C1"}, 72),
])
def test_bad_filters_get_a_clear_message_and_are_ignored(world, client, params, total):
    """Never a 500: a value outside the choices is named in Vietnamese and that filter ignored."""
    client.force_login(world["staff"])
    response = get(client, **params)
    page = response.content.decode()
    if set(params) - {"page"}:
        assert "hãy chọn trong danh sách" in page or "tối đa 100 ký tự" in page
        assert "Danh sách hiện không lọc theo giá trị này." in page
    assert sum(response.context["counts"].values()) == total


def test_a_bad_filter_does_not_drop_the_valid_ones(world, client):
    client.force_login(world["staff"])
    response = get(client, trang_thai="not_met", noi="D9", ten="Thôn")
    assert "hãy chọn trong danh sách" in response.content.decode()
    assert listed(response) == [f"D2C1A{a}" for a in range(1, 9)]


def test_a_district_officer_cannot_see_or_filter_into_another_district(world, client):
    client.force_login(world["officer2"])
    assert client.get(reverse("targets:units", args=[YEAR, "ngay_hoi_kdc", "20"])).status_code == 404
    assert client.get(reverse("targets:units", args=[YEAR, "ngay_hoi_kdc", "D1"])).status_code == 404
    response = get(client, "D2", noi="D1C1")  # a commune of another district: refused, own list shown
    assert all(code.startswith("D2") for code in listed(response)) and len(listed(response)) == 24
    assert "Thôn 1." not in response.content.decode()
    assert all(code.startswith("D2") for code in listed(get(client, "D2", ten="Thôn")))


def test_the_query_count_does_not_grow_with_the_units(world, client, django_assert_max_num_queries):
    client.force_login(world["staff"])
    url, _ = names()
    counts = {}
    for params in ({}, {"noi": "D2", "xa": "D2C2", "trang_thai": "met", "ten": "Thôn"}):
        with django_assert_max_num_queries(15) as captured:
            assert client.get(url, params).status_code == 200
        counts[str(params)] = len(captured.captured_queries)
    for c in range(4, 10):  # six more communes of 30 areas in D2, none reported
        commune = Unit.objects.create(code=f"D2C{c}", name=f"Xã 2.{c}", kind=UnitKind.COMMUNE, parent=unit("D2"))
        Unit.objects.bulk_create([
            Unit(code=f"D2C{c}A{a}", name=f"Thôn 2.{c}.{a}", kind=UnitKind.AREA, parent=commune,
                 province=world["province"], district=unit("D2"), commune=commune)
            for a in range(1, 31)
        ])
    placements_sync(Unit.objects.filter(code__startswith="D2C"))  # bulk_create skips save(): place them on the tree
    runs.year_recompute(year=YEAR)
    for params in ({}, {"noi": "D2", "xa": "D2C2", "trang_thai": "met", "ten": "Thôn"}):
        with django_assert_max_num_queries(counts[str(params)]):
            response = client.get(url, params)
        assert response.status_code == 200
    assert sum(get(client).context["counts"].values()) == 72 + 180


def test_each_row_names_the_commune_and_district_between_the_page_and_it(world, client):
    client.force_login(world["staff"])
    province_row = get(client, trang_thai="not_met").context["rows"][0]
    assert (province_row.unit.code, province_row.place) == ("D2C1A1", "Xã 2.1, Huyện 2")
    district_row = get(client, "D2", trang_thai="not_met").context["rows"][0]
    assert district_row.place == "Xã 2.1"
    assert get(client, "D2C1", trang_thai="not_met").context["rows"][0].place == ""
