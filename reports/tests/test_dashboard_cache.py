"""The dashboard's page cache (reports/cache.py): cheap hits, never a stale, foreign or tokened page."""
import re

import pytest
from django.urls import reverse
from django.utils import translation

from mattran.models import Unit, UnitKind
from reports.cache import page_key
from reports.models import SubmissionStatus
from reports.tests.dash_factories import count_queries, fill_figures, login, put_plan, put_result, put_value, world

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:index")




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
    fill_figures(w["province"], list(w["province"].children.all()))
    login(client, w["staff"])
    first = client.get(URL, {"year": 2019})
    assert _hit(first) is False
    count, second = count_queries(client, {"year": 2019}, cold=False)
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
    fill_figures(w["province"], list(w["province"].children.all()))
    other = django_user_model.objects.create_user("tinh.hai", password="x")
    Officer.objects.create(user=other, unit=w["province"], role=w["staff"].officer.role)  # bumps the version
    first = login(client, w["staff"]).get(URL, {"year": 2019}).content.decode()
    client.logout()
    login(client, other)
    client.get(reverse("home"))  # the session, as a real browser would have it
    count, second = count_queries(client, {"year": 2019}, cold=False)
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
    from reports.submissions import services
    from reports.tests.target_factories import festival

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
    from reports.targets import runs
    from reports.tests.target_factories import festival

    w = world(districts=2)
    put_result("ngay_hoi_kdc", w["province"], 2019, 7, 100)  # a stale result the recompute replaces
    areas = Unit.objects.filter(kind=UnitKind.AREA)
    festival(w["d1"], 2019, {a: True for a in areas if a.district_id == w["d1"].pk})
    festival(w["d2"], 2019, {a: True for a in areas if a.district_id == w["d2"].pk})
    login(client, w["staff"])
    assert "7,0%" in _target_row(client.get(URL, {"year": 2019}).content.decode(), "ngay_hoi_kdc")
    assert _hit(client.get(URL, {"year": 2019})) == "response"
    runs.year_recompute(year=2019)
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
