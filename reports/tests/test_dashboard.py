"""The dashboard reads precomputed rows, is scoped to the user's subtree and keeps its query count flat."""
import datetime
import json
import re

import pytest
import time_machine
from django.urls import reverse

from mattran.models import UnitKind
from reports.models import ReportForm, Submission, SubmissionStatus
from reports.tests.dash_factories import count_queries, fill_figures, login, put_plan, put_result, put_value, world
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:index")



@pytest.fixture
def w():
    return world()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_province_staff_see_each_target_with_its_badge_for_the_chosen_year(client, w):
    """Given results for 2019 and 2018, when staff open 2019, then each target shows its 2019 badge."""
    province = w["province"]
    put_result("ngay_hoi_kdc", province, 2019, 96, 100)
    put_result("bctmt_kha_tro_len", province, 2019, 80, 100)
    put_result("mttq_vung_manh", province, 2018, 90, 100)  # not due in 2018
    put_result("mttq_vung_manh", province, 2019, 85, 100)  # exactly 85% does not pass "trên 85%"
    html = login(client, w["staff"]).get(URL, {"year": 2019}).content.decode()
    rows = dict(re.findall(r'data-target="(\w+)">(.*?)</tr>', html, re.S))
    assert "Đạt" in rows["ngay_hoi_kdc"] and "Không đạt" not in rows["ngay_hoi_kdc"]
    assert "96,0%" in rows["ngay_hoi_kdc"]
    assert "Không đạt" in rows["bctmt_kha_tro_len"]
    assert "Không đạt" in rows["mttq_vung_manh"]
    html_2018 = client.get(URL, {"year": 2018}).content.decode()
    rows_2018 = dict(re.findall(r'data-target="(\w+)">(.*?)</tr>', html_2018, re.S))
    assert "Chưa đến hạn" in rows_2018["mttq_vung_manh"]


def test_trend_and_key_figures_are_passed_to_the_chart_as_json(client, w):
    province = w["province"]
    for year, percent in ((2016, 91), (2017, 94), (2019, 97)):
        put_result("ngay_hoi_kdc", province, year, percent, 100)
    put_value("quy_vnn_thu", province, "2017", 1500)
    response = login(client, w["staff"]).get(URL, {"year": 2019})
    html = response.content.decode()
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert data["years"] == [2016, 2017, 2018, 2019, 2020]
    trend = next(t for t in data["targets"] if t["code"] == "ngay_hoi_kdc")["values"]
    assert trend == [91.0, 94.0, None, 97.0, None]
    fund = next(f for f in data["figures"] if f["code"] == "quy_vnn_thu")["values"]
    assert fund == [None, 1500.0, None, None, None]
    # CSP: no executable inline script, only JSON data blocks and files.
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)
    assert "js/dashboard.js" in html and "vendor/chartjs/chart.umd.min.js" in html


def test_fund_houses_and_poverty_show_against_plan_in_vietnamese_numbers(client, w):
    """Given 1.234.567,5 raised against a plan of 2.000.000, the page shows both and 61,7% of plan."""
    province = w["province"]
    put_value("quy_vnn_thu", province, "2019", "1234567.5")
    put_value("quy_vnn_chi", province, "2019", 900000)
    put_plan("quy_vnn_thu", province, 2019, 2000000)
    put_value("nha_ddk_xay_moi", province, "2019", 120)
    put_plan("nha_ddk_xay_moi", province, 2019, 100)
    put_value("ho_thoat_ngheo", province, "2019", 4321)
    html = login(client, w["staff"]).get(URL, {"year": 2019}).content.decode()
    raised = re.search(r'id="fund-raised">(.*?)</div>\s*</div>|id="fund-raised">(.*?)<small', html, re.S)[0]
    assert "1.234.567,5" in raised and "2.000.000" in raised and "61,7%" in raised
    assert "900.000" in html
    built = re.search(r'id="houses-built">(.*?)</small>', html, re.S)[1]
    assert "120" in built and "100" in built and "120,0%" in built
    assert "4.321" in re.search(r'id="out-of-poverty">(.*?)</div>', html, re.S)[1]


def test_district_tiles_are_coloured_by_how_they_stand_on_the_targets(client, w):
    put_result("ngay_hoi_kdc", w["d1"], 2019, 99, 100)
    put_result("bctmt_kha_tro_len", w["d1"], 2019, 95, 100)
    put_result("ngay_hoi_kdc", w["d2"], 2019, 50, 100)
    html = login(client, w["staff"]).get(URL, {"year": 2019}).content.decode()
    assert re.search(r'class="unit-tile tile-good"[^>]*data-unit="D1"', html)
    assert re.search(r'class="unit-tile tile-bad"[^>]*data-unit="D2"', html)
    assert "2/2 chỉ tiêu đạt" in html
    # Years are never grouped like numbers ("2.019"): links and the year picker keep "2019".
    assert 'href="?unit=D1&amp;year=2019"' in html and '<option value="2019" selected>2019</option>' in html
    assert "2.019" not in html


def test_tiles_use_no_map_tiles_from_the_internet(client, w):
    html = login(client, w["staff"]).get(URL).content.decode()
    assert "tile-grid" in html
    assert not re.search(r'(src|href)="https?://', html)


@time_machine.travel(datetime.datetime(2019, 12, 10, 8, 0), tick=False)
def test_reporting_completeness_counts_this_months_submissions_of_units_in_scope(client, w):
    """Given a monthly form and one of two districts submitted for November, the row reads 1 / 2."""
    form = ReportForm.objects.create(
        code="dash_thang", name="Biểu tháng thử", period_type="MONTHLY", row_kind=UnitKind.COMMUNE,
        submitter_kind=UnitKind.DISTRICT, order=99,
    )
    Submission.objects.create(form=form, unit=w["d1"], period="2019-11", year=2019, status=SubmissionStatus.APPROVED)
    Submission.objects.create(form=form, unit=w["d2"], period="2019-11", year=2019, status=SubmissionStatus.DRAFT)
    Submission.objects.create(form=form, unit=w["d2"], period="2019-10", year=2019, status=SubmissionStatus.SUBMITTED)
    html = login(client, w["staff"]).get(URL).content.decode()
    row = re.search(r'data-form="dash_thang">(.*?)</tr>', html, re.S)[1]
    assert "Tháng 11/2019" in row
    assert "1 / 2" in row and "50,0%" in row
    district_html = login(client, w["officer2"]).get(URL).content.decode()
    assert "0 / 1" in re.search(r'data-form="dash_thang">(.*?)</tr>', district_html, re.S)[1]
    ReportForm.objects.create(code="dash_tinh", name="Biểu tỉnh nhập", period_type="YEARLY", row_kind=UnitKind.DISTRICT,
                              submitter_kind=UnitKind.PROVINCE)
    assert 'data-form="dash_tinh"' not in login(client, w["officer2"]).get(URL).content.decode()
    assert 'data-form="dash_tinh"' in login(client, w["staff"]).get(URL).content.decode()


def test_district_officer_sees_the_same_view_limited_to_their_district(client, w):
    put_result("ngay_hoi_kdc", w["province"], 2019, 96, 100)
    put_result("ngay_hoi_kdc", w["d1"], 2019, 70, 100)
    put_value("quy_vnn_thu", w["d1"], "2019", 333)
    put_value("quy_vnn_thu", w["province"], "2019", 999999)
    response = login(client, w["officer1"]).get(URL, {"year": 2019})
    html = response.content.decode()
    assert response.context["root"] == w["d1"]
    assert "70,0%" in html and "96,0%" not in html
    assert "333" in html and "999.999" not in html
    assert [t.unit.code for t in response.context["tiles"]] == ["D1C1"]


def test_district_officer_gets_404_for_another_district(client, w):
    assert login(client, w["officer1"]).get(URL, {"unit": "D2"}).status_code == 404
    assert client.get(URL, {"unit": "20"}).status_code == 404


def test_province_staff_may_open_a_district_through_its_tile(client, w):
    put_result("ngay_hoi_kdc", w["d2"], 2019, 42, 100)
    response = login(client, w["staff"]).get(URL, {"unit": "D2", "year": 2019})
    assert response.status_code == 200
    assert response.context["root"] == w["d2"]
    assert "42,0%" in response.content.decode()


def test_an_administrator_without_an_officer_record_sees_the_province(client, w):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("quantri", "qt@example.vn", "x")
    response = login(client, admin).get(URL)
    assert response.status_code == 200 and response.context["root"] == w["province"]


def test_a_year_outside_the_term_falls_back_to_the_default(client, w):
    response = login(client, w["staff"]).get(URL, {"year": "abc"})
    assert response.status_code == 200
    assert 2016 <= response.context["year"] <= 2020




def test_dashboard_query_count_is_at_most_15_and_does_not_grow_with_districts(client):
    """Given 2 districts then 12, the uncached dashboard issues the same number of queries, 15 or fewer."""
    w = world(districts=2)
    fill_figures(w["province"], list(w["province"].children.all()))
    login(client, w["staff"])
    client.get(URL, {"year": 2019})  # warm the session
    with_two, response = count_queries(client, {"year": 2019})
    assert response.context["cache_hit"] is False
    assert len(response.context["tiles"]) == 2
    extra = [make_unit(f"X{d}", f"Huyện thêm {d}", UnitKind.DISTRICT, w["province"]) for d in range(10)]
    for district in extra:
        put_result("ngay_hoi_kdc", district, 2019, 96, 100)
        put_value("quy_vnn_thu", district, "2019", 5)
    # The first page after the tree changed reads the tree's copies again (its children, its units per
    # kind); the next one only the tokens, as with two districts.
    after_change, response = count_queries(client, {"year": 2019})
    assert len(response.context["tiles"]) == 12 and after_change <= 15
    with_twelve, response = count_queries(client, {"year": 2019})
    assert len(response.context["tiles"]) == 12
    assert with_two == with_twelve <= 15
