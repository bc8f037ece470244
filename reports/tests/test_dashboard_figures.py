"""Program and campaign figure pages: indicators by year, month and district, scoped, constant queries."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign
from mattran.models import UnitKind
from reports.tests.dash_factories import put_result, put_value, world
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

PROGRAM_2 = reverse("dashboard:program", args=[2])


@pytest.fixture
def w():
    w = world()
    campaign = Campaign.objects.get(code="ngay_vi_nguoi_ngheo")
    campaign.indicators.add(w["indicators"]["quy_vnn_thu"], w["indicators"]["nha_ddk_xay_moi"])
    w["campaign_url"] = reverse("dashboard:campaign", args=["ngay_vi_nguoi_ngheo"])
    put_value("quy_vnn_thu", w["province"], "2018", 2500000)
    put_value("quy_vnn_thu", w["province"], "2019", 3100000)
    put_value("quy_vnn_thu", w["d1"], "2019", 1800000)
    put_value("quy_vnn_thu", w["d2"], "2019", 1300000)
    put_value("quy_vnn_thu", w["province"], "2019-11", 950000)
    put_value("quy_vnn_thu", w["d1"], "2019-11", 400000)
    return w


def row(html, table_id, key, attribute):
    table = re.search(rf'id="{table_id}">(.*?)</table>', html, re.S)[1]
    return re.findall(r"<td[^>]*>(.*?)</td>", re.search(rf'{attribute}="{key}">(.*?)</tr>', table, re.S)[1], re.S)


def test_program_page_shows_indicators_by_year_and_by_district(client, w):
    client.force_login(w["staff"])
    html = client.get(PROGRAM_2, {"year": 2019}).content.decode()
    by_year = row(html, "by-year", "quy_vnn_thu", "data-indicator")
    assert by_year[2:] == ["—", "—", "2.500.000", "3.100.000", "—"]
    assert "1.800.000" in "".join(row(html, "by-unit", "D1", "data-unit"))
    assert "1.300.000" in "".join(row(html, "by-unit", "D2", "data-unit"))
    assert reverse("programs:detail", args=[2]) in html
    assert "2.019" not in html and "2.016" not in html


def test_program_page_shows_its_targets_trend_and_badge(client, w):
    put_result("ngay_hoi_kdc", w["province"], 2019, 96, 100)
    client.force_login(w["staff"])
    html = client.get(reverse("dashboard:program", args=[1]), {"year": 2019}).content.decode()
    cells = row(html, "targets-table", "ngay_hoi_kdc", "data-target")
    assert cells[4] == "96,0%" and "Đạt" in cells[-1]


def test_campaign_page_shows_its_indicators_over_the_months_and_by_district(client, w):
    client.force_login(w["staff"])
    html = client.get(w["campaign_url"], {"year": 2019}).content.decode()
    by_month = row(html, "by-month", "quy_vnn_thu", "data-indicator")
    assert by_month[11] == "950.000" and by_month[12] == "—"
    assert "1.800.000" in "".join(row(html, "by-unit", "D1", "data-unit"))
    assert reverse("campaigns:detail", args=["ngay_vi_nguoi_ngheo"]) in html
    assert 'id="figures-data" type="application/json"' in html


def test_district_officer_sees_only_their_district_on_figure_pages(client, w):
    client.force_login(w["officer1"])
    html = client.get(w["campaign_url"], {"year": 2019}).content.decode()
    assert "1.800.000" in html and "3.100.000" not in html and "1.300.000" not in html
    assert client.get(w["campaign_url"], {"unit": "D2"}).status_code == 404
    assert client.get(PROGRAM_2, {"unit": "D2"}).status_code == 404
    assert client.get(PROGRAM_2, {"unit": "20"}).status_code == 404


def test_anonymous_visitor_is_sent_to_login_from_figure_pages(client, w):
    for url in (PROGRAM_2, w["campaign_url"]):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unknown_program_or_campaign_answers_404(client, w):
    client.force_login(w["staff"])
    assert client.get(reverse("dashboard:program", args=[9])).status_code == 404
    assert client.get(reverse("dashboard:campaign", args=["khong-co"])).status_code == 404


@pytest.mark.parametrize("page", ["program", "campaign"])
def test_figure_pages_query_count_does_not_grow_with_districts(client, w, page):
    url = PROGRAM_2 if page == "program" else w["campaign_url"]
    client.force_login(w["staff"])
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"year": 2019}).status_code == 200
        return len(queries)

    before = count()
    for d in range(10):
        put_value("quy_vnn_thu", make_unit(f"X{d}", f"Huyện X{d}", UnitKind.DISTRICT, w["province"]), "2019", 7)
    assert count() == before <= 15
