"""Home page, unit browser and health check: content, scoping and query counts."""
import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from mattran.models import OfficerRole, Unit, UnitKind
from tests.factories import make_officer, make_tree, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_tree(districts=2, communes=2, areas=3)


@pytest.fixture
def tinh(tree):
    return make_officer("tinh", tree, OfficerRole.PROVINCE_STAFF)


@pytest.fixture
def huyen1(tree):
    return make_officer("huyen.D1", Unit.objects.get(code="D1"))


def test_home_shows_five_programs_their_tasks_campaigns_and_three_targets(client, tinh, django_assert_max_num_queries):
    """Given provincial staff, when they open the home page, then the whole action plan is there."""
    client.force_login(tinh)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    for number in range(1, 6):
        assert reverse("programs:detail", args=[number]) in html
    assert "trên 95% khu dân cư" in html
    assert reverse("campaigns:detail", args=["thang_cao_diem"]) in html
    assert "Ngày vì người nghèo" in html
    assert html.count("&gt; 95%") == 1 and "&gt; 90%" in html and "&gt; 85%" in html
    assert "đánh giá năm 2019" in html and "đánh giá hằng năm" in html


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("units:browser"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_district_officer_starts_at_their_district_with_counts_beneath_each_commune(client, huyen1):
    """A district officer's browser opens on their district: communes with their residential areas."""
    client.force_login(huyen1)
    response = client.get(reverse("units:browser"))
    assert response.status_code == 200
    assert response.context["unit"].code == "D1"
    rows = {child.code: counts for child, counts in response.context["rows"]}
    assert rows == {"D1C1": {"communes": 0, "areas": 3}, "D1C2": {"communes": 0, "areas": 3}}


def test_province_counts_communes_and_areas_under_each_district(client, tinh, tree):
    make_unit("D1C1A9", "Thôn cũ", UnitKind.AREA, Unit.objects.get(code="D1C1"), valid_to=datetime.date(2018, 12, 31))
    client.force_login(tinh)
    response = client.get(reverse("units:detail", args=["20"]))
    rows = {child.code: counts for child, counts in response.context["rows"]}
    # the ended area is not counted among today's areas
    assert rows == {"D1": {"communes": 2, "areas": 6}, "D2": {"communes": 2, "areas": 6}}


def test_district_officer_gets_404_on_another_districts_unit(client, huyen1):
    client.force_login(huyen1)
    assert client.get(reverse("units:detail", args=["D2"])).status_code == 404
    assert client.get(reverse("units:detail", args=["D2C1A1"])).status_code == 404
    assert client.get(reverse("units:detail", args=["20"])).status_code == 404
    assert client.get(reverse("units:detail", args=["D1C1A1"])).status_code == 200


def test_breadcrumbs_link_only_ancestors_inside_the_officers_scope(client, huyen1):
    client.force_login(huyen1)
    response = client.get(reverse("units:detail", args=["D1C2A3"]))
    assert [(a.code, linkable) for a, linkable in response.context["ancestors"]] == [
        ("20", False), ("D1", True), ("D1C2", True),
    ]
    html = response.content.decode()
    assert reverse("units:detail", args=["D1"]) in html
    assert reverse("units:detail", args=["20"]) not in html


def test_an_ended_area_shows_its_status_and_dates(client, tinh, tree):
    make_unit(
        "OLD1", "Thôn đã sáp nhập", UnitKind.AREA, Unit.objects.get(code="D1C1"),
        valid_from=datetime.date(2010, 1, 1), valid_to=datetime.date(2019, 6, 30),
    )
    client.force_login(tinh)
    html = client.get(reverse("units:detail", args=["D1C1"])).content.decode()
    assert "Đã kết thúc" in html and "30/06/2019" in html and "01/01/2010" in html
    assert "Đang hoạt động" in html


def test_a_commune_with_many_areas_is_paginated(client, tinh, tree):
    commune = Unit.objects.get(code="D2C2")
    for i in range(60):
        make_unit(f"P{i:03}", f"Tổ {i}", UnitKind.AREA, commune)
    client.force_login(tinh)
    first = client.get(reverse("units:detail", args=["D2C2"]))
    assert len(first.context["rows"]) == 50 and first.context["page"].paginator.count == 63
    second = client.get(reverse("units:detail", args=["D2C2"]), {"trang": 2})
    assert len(second.context["rows"]) == 13


def _browser_queries(client, user, code):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("units:detail", args=[code])).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("code", ["", "D1", "D1C1"])
def test_unit_browser_query_count_does_not_grow_with_the_tree(client, code):
    """The same page on a tree of 2 and of 20 districts issues the same number of queries."""
    small_root = make_tree(districts=2, communes=2, areas=2, province_code="S", prefix="S")
    big_root = make_tree(districts=20, communes=3, areas=2, province_code="B", prefix="B")
    small = _browser_queries(client, make_officer("small", small_root, OfficerRole.PROVINCE_STAFF), f"S{code}")
    big = _browser_queries(client, make_officer("big", big_root, OfficerRole.PROVINCE_STAFF), f"B{code}")
    assert small == big
    assert big <= 15


def test_administrator_without_officer_record_starts_at_the_top(client, tree, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", password="x")
    client.force_login(admin)
    response = client.get(reverse("units:browser"))
    assert [child.code for child, _ in response.context["rows"]] == ["20"]
    assert response.context["rows"][0][1] == {"communes": 4, "areas": 12}


def test_healthz_answers_json_with_database_and_broker_state(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    expected_broker = "ok" if settings.CELERY_BROKER_URL else "eager"
    assert response.json() == {"database": "ok", "broker": expected_broker, "status": "ok"}


def test_healthz_reports_a_database_failure_as_503(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_bare_view_answers_a_constant_body_in_the_benchmark_urls_only(client):
    """The load test's baseline lives in the benchmark settings' URLs, not in production's."""
    with pytest.raises(NoReverseMatch):
        reverse("bare")
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        response = client.get(reverse("bare"))
    assert response.status_code == 200 and response.content == b"ok"
