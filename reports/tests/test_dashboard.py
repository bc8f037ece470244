"""The dashboard reads precomputed rows, is scoped to the user's subtree and keeps its query count flat."""
import datetime
import json
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from mattran.models import Unit, UnitKind
from mattran.tests.factories import make_unit
from reports.cache import page_key
from reports.models import ReportForm, Submission, SubmissionStatus

from .dash_factories import put_plan, put_result, put_value, world

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:index")


@pytest.fixture
def w():
    return world()


def login(client, user):
    client.force_login(user)
    return client


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


def _fill(province, districts):
    for year in range(2016, 2021):
        for code in ("ngay_hoi_kdc", "bctmt_kha_tro_len", "mttq_vung_manh"):
            put_result(code, province, year, 90, 100)
        for code in ("quy_vnn_thu", "quy_vnn_chi", "nha_ddk_xay_moi", "ho_thoat_ngheo", "giam_sat", "tap_huan_lop"):
            put_value(code, province, str(year), 10)
    for district in districts:
        put_result("ngay_hoi_kdc", district, 2019, 96, 100)
    put_plan("quy_vnn_thu", province, 2019, 100)


def _count_queries(client, params, *, cold=True):
    if cold:
        cache.clear()  # the figures path, not a cached page (the session is reloaded from the database)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries), response


def test_dashboard_query_count_is_at_most_15_and_does_not_grow_with_districts(client):
    """Given 2 districts then 12, the uncached dashboard issues the same number of queries, 15 or fewer."""
    w = world(districts=2)
    _fill(w["province"], list(w["province"].children.all()))
    login(client, w["staff"])
    client.get(URL, {"year": 2019})  # warm the session
    with_two, response = _count_queries(client, {"year": 2019})
    assert response.context["cache_hit"] is False
    assert len(response.context["tiles"]) == 2
    extra = [make_unit(f"X{d}", f"Huyện thêm {d}", UnitKind.DISTRICT, w["province"]) for d in range(10)]
    for district in extra:
        put_result("ngay_hoi_kdc", district, 2019, 96, 100)
        put_value("quy_vnn_thu", district, "2019", 5)
    with_twelve, response = _count_queries(client, {"year": 2019})
    assert len(response.context["tiles"]) == 12
    assert with_two == with_twelve <= 15


# --------------------------------------------------------------------------- the page cache (reports/cache.py)


def _hit(response):
    """How the page was served: "response" (the user's whole page), "main" (the shared main part) or False."""
    if getattr(response, "cache_hit", None) == "response":
        return "response"
    return "main" if response.context["cache_hit"] else False


def _main(html):
    """The cached part of the page: from the heading to the chart data."""
    return html[html.index('<div class="d-flex flex-wrap align-items-baseline'):html.index("</script>", html.index('id="dashboard-data"'))]


def _target_row(html, code):
    return re.search(rf'data-target="{code}">(.*?)</tr>', html, re.S)[1]


def test_a_cached_dashboard_costs_at_most_two_queries_and_shows_the_same_page(client):
    """Given a dashboard just rendered, when the same user opens it again, then at most 3 queries (the
    session, the user, the data version) serve the same page, whatever the number of districts.
    (Sessions are read from the database so that a cache outage signs no one out.)"""
    w = world(districts=2)
    _fill(w["province"], list(w["province"].children.all()))
    login(client, w["staff"])
    first = client.get(URL, {"year": 2019})
    assert _hit(first) is False
    count, second = _count_queries(client, {"year": 2019}, cold=False)
    assert _hit(second) == "response"
    assert count <= 3
    assert _main(second.content.decode()) == _main(first.content.decode())
    assert "96,0%" not in _target_row(second.content.decode(), "ngay_hoi_kdc")  # the province's own 90%
    assert "90,0%" in _target_row(second.content.decode(), "ngay_hoi_kdc")


def test_another_user_of_the_same_scope_shares_the_main_part_only(client, django_user_model):
    """Given staff A's page cached, staff B (same province scope) gets the shared main part (4 queries
    at most: session, user, officer with unit, data version) inside a page of their own: B's name, not A's."""
    from mattran.models import Officer

    w = world(districts=2)
    _fill(w["province"], list(w["province"].children.all()))
    other = django_user_model.objects.create_user("tinh.hai", password="x")
    Officer.objects.create(user=other, unit=w["province"], role=w["staff"].officer.role)  # bumps the version
    first = login(client, w["staff"]).get(URL, {"year": 2019}).content.decode()
    client.logout()
    login(client, other)
    client.get(reverse("home"))  # the session, as a real browser would have it
    count, second = _count_queries(client, {"year": 2019}, cold=False)
    assert _hit(second) == "main"
    assert count <= 4
    html = second.content.decode()
    assert _main(html) == _main(first)
    assert '>tinh.hai<span class="nav-unit">' in html and f'>{w["staff"].username}<span class="nav-unit">' not in html


def test_the_users_cached_page_carries_a_fresh_csrf_token_that_works(client):
    """The whole page is cached with a placeholder for the CSRF token: each serve masks the session's
    token anew, and the language form posted with it is accepted."""
    from django.test import Client

    w = world(districts=2)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(w["staff"])
    pattern = r'name="csrfmiddlewaretoken" value="([^"]+)"'
    first = browser.get(URL, {"year": 2019})
    second = browser.get(URL, {"year": 2019})
    assert _hit(second) == "response"
    html = second.content.decode()
    assert "@@csrf" not in html
    tokens = re.findall(pattern, html)
    assert tokens and tokens[0] != re.findall(pattern, first.content.decode())[0]
    switched = browser.post(reverse("set_language"), {"language": "en", "next": URL, "csrfmiddlewaretoken": tokens[0]})
    assert switched.status_code == 302


def test_a_page_with_a_message_is_neither_served_from_nor_stored_in_the_users_cache(client):
    """A waiting message (a saved form, a language change) is shown on the next page, never lost to
    a cached copy, and the page that showed it is not cached with it."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage

    w = world(districts=2)
    login(client, w["staff"])
    client.get(URL, {"year": 2019})
    assert _hit(client.get(URL, {"year": 2019})) == "response"
    storage = CookieStorage(type("R", (), {"COOKIES": {}})())
    storage.add(constants.SUCCESS, "Đã lưu báo cáo <b>thử</b>")
    cookie_value = storage._encode(list(storage._queued_messages))
    client.cookies[CookieStorage.cookie_name] = cookie_value
    shown = client.get(URL, {"year": 2019})
    assert _hit(shown) != "response"
    assert "Đã lưu báo cáo &lt;b&gt;thử&lt;/b&gt;" in shown.content.decode()
    client.cookies.pop(CookieStorage.cookie_name, None)
    again = client.get(URL, {"year": 2019})
    assert "Đã lưu báo cáo" not in again.content.decode()


def test_a_changed_scope_is_never_served_the_old_users_page(client):
    """Given an officer's page cached, when the officer is moved to another district, the next
    request renders their new district, not the cached page of the old one."""
    w = world(districts=2)
    put_result("ngay_hoi_kdc", w["d1"], 2019, 71, 100)
    put_result("ngay_hoi_kdc", w["d2"], 2019, 42, 100)
    login(client, w["officer1"])
    client.get(URL, {"year": 2019})
    assert _hit(client.get(URL, {"year": 2019})) == "response"
    officer = w["officer1"].officer
    officer.unit = w["d2"]
    officer.save()
    moved = client.get(URL, {"year": 2019})
    assert _hit(moved) is False
    assert "42,0%" in _target_row(moved.content.decode(), "ngay_hoi_kdc")


def test_an_approval_shows_its_new_figures_at_once(client):
    """Given the province dashboard cached before any festival record counts, when staff approve
    district 1's record (the targets recompute for it), then the next page shows the new figures."""
    from reports import services

    from .target_factories import festival

    w = world(districts=2)
    areas = Unit.objects.filter(district=w["d1"], kind=UnitKind.AREA)
    submission = festival(w["d1"], 2019, {a: True for a in areas}, status=SubmissionStatus.SUBMITTED)
    login(client, w["staff"])
    before = client.get(URL, {"year": 2019}).content.decode()
    assert "—" in _target_row(before, "ngay_hoi_kdc")
    assert _hit(client.get(URL, {"year": 2019})) == "response"
    services.submission_approve(submission=submission, by=w["staff"])
    after = client.get(URL, {"year": 2019})
    assert _hit(after) is False
    assert "50,0%" in _target_row(after.content.decode(), "ngay_hoi_kdc")  # 1 of 2 areas, the other district missing


def test_a_recompute_by_the_worker_shows_its_new_figures_at_once(client):
    """Given cached figures, when a full-year recompute rewrites the results with set-based SQL (no
    model signal, as on the Celery worker), then the run record changes the data version and the
    next page shows the recomputed figures, not the cached ones."""
    from reports import computation

    from .target_factories import festival

    w = world(districts=2)
    put_result("ngay_hoi_kdc", w["province"], 2019, 7, 100)  # a stale result the recompute replaces
    areas = Unit.objects.filter(kind=UnitKind.AREA)
    festival(w["d1"], 2019, {a: True for a in areas if a.district_id == w["d1"].pk})
    festival(w["d2"], 2019, {a: True for a in areas if a.district_id == w["d2"].pk})
    login(client, w["staff"])
    assert "7,0%" in _target_row(client.get(URL, {"year": 2019}).content.decode(), "ngay_hoi_kdc")
    assert _hit(client.get(URL, {"year": 2019})) == "response"
    computation.year_recompute(year=2019)
    after = client.get(URL, {"year": 2019})
    assert _hit(after) is False
    row = _target_row(after.content.decode(), "ngay_hoi_kdc")
    assert "100,0%" in row and "7,0%" not in row


def test_a_new_plan_shows_at_once(client):
    """Plans are read directly, not from a computed row: a new plan changes the data version too."""
    w = world(districts=2)
    put_value("quy_vnn_thu", w["province"], "2019", 500)
    login(client, w["staff"])
    assert "61,7%" not in client.get(URL, {"year": 2019}).content.decode()
    put_plan("quy_vnn_thu", w["province"], 2019, 1000)
    assert "50,0%" in re.search(r'id="fund-raised">(.*?)</small>', client.get(URL, {"year": 2019}).content.decode(), re.S)[1]


def test_a_district_officer_never_gets_the_provinces_or_another_districts_cached_page(client):
    """Given the province page and both districts' pages cached by provincial staff, district 1's
    officer sees only district 1's own figures, and gets 404 for the province and district 2."""
    w = world(districts=2)
    put_result("ngay_hoi_kdc", w["province"], 2019, 96, 100)
    put_result("ngay_hoi_kdc", w["d1"], 2019, 71, 100)
    put_result("ngay_hoi_kdc", w["d2"], 2019, 42, 100)
    staff = login(client, w["staff"])
    for params in ({"year": 2019}, {"year": 2019, "unit": "D1"}, {"year": 2019, "unit": "D2"}):
        assert staff.get(URL, params).status_code == 200
    client.logout()
    officer = login(client, w["officer1"])
    own = officer.get(URL, {"year": 2019})
    html = own.content.decode()
    assert own.context["root"] == w["d1"]
    assert "71,0%" in _target_row(html, "ngay_hoi_kdc")
    assert "96,0%" not in html and "42,0%" not in html
    assert "Về đơn vị của tôi" not in html  # the staff's ?unit=D1 page is cached apart
    assert officer.get(URL, {"year": 2019, "unit": "D2"}).status_code == 404
    assert officer.get(URL, {"year": 2019, "unit": "20"}).status_code == 404
    client.logout()
    other = login(client, w["officer2"]).get(URL, {"year": 2019}).content.decode()
    assert "42,0%" in _target_row(other, "ngay_hoi_kdc") and "71,0%" not in other


def test_each_language_has_its_own_cached_page(client, settings):
    """Given the page cached in Vietnamese, a user who switched to English gets a page of their own."""
    w = world(districts=2)
    login(client, w["staff"])
    assert _hit(client.get(URL, {"year": 2019})) is False
    assert _hit(client.get(URL, {"year": 2019})) == "response"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(URL, {"year": 2019})
    assert _hit(english) is False
    assert 'lang="en"' in english.content.decode()
    with translation.override("en"):
        key_en = page_key(name="index", unit_id=w["province"].pk, year=2019, unit_param="")
    with translation.override("vi"):
        key_vi = page_key(name="index", unit_id=w["province"].pk, year=2019, unit_param="")
    assert key_en != key_vi


def test_the_cached_part_holds_no_csrf_token(client):
    """Only the figures are cached: no token a second user could receive (the navbar stays outside)."""
    w = world(districts=2)
    login(client, w["staff"])
    html = client.get(URL, {"year": 2019}).content.decode()
    assert "csrfmiddlewaretoken" not in _main(html)
    assert 'name="csrfmiddlewaretoken"' in html  # the sign-out form of the navbar, rendered per request
