"""Campaign pages: the list and each campaign with kind, program, sub-campaigns and indicators."""
import pytest
from django.urls import reverse

from campaigns.models import Campaign
from mattran.models import OfficerRole
from programs.models import Indicator
from tests.factories import make_officer, make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return make_officer("tinh", make_tree(districts=1, communes=1, areas=1), OfficerRole.PROVINCE_STAFF)


def test_campaign_list_shows_every_campaign_with_its_program(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("campaigns:list"))
    html = response.content.decode()
    for campaign in Campaign.objects.all():
        assert reverse("campaigns:detail", args=[campaign.code]) in html
    assert reverse("programs:detail", args=[2]) in html


def test_campaign_detail_shows_kind_program_sub_campaigns_and_indicators(client, staff, django_assert_max_num_queries):
    campaign = Campaign.objects.get(code="ngay_vi_nguoi_ngheo")
    campaign.indicators.add(Indicator.objects.get(code="ngay_hoi_to_chuc"))
    client.force_login(staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("campaigns:detail", args=["ngay_vi_nguoi_ngheo"]))
    html = response.content.decode()
    assert "Cuộc vận động" in html
    assert reverse("programs:detail", args=[2]) in html
    assert reverse("campaigns:detail", args=["thang_cao_diem"]) in html
    assert "Khu dân cư tổ chức Ngày hội Đại đoàn kết toàn dân tộc" in html
    assert reverse("dashboard:campaign", args=["ngay_vi_nguoi_ngheo"]) in html


def test_sub_campaign_links_back_to_its_parent(client, staff):
    client.force_login(staff)
    html = client.get(reverse("campaigns:detail", args=["thang_cao_diem"])).content.decode()
    assert reverse("campaigns:detail", args=["ngay_vi_nguoi_ngheo"]) in html


def test_unknown_campaign_answers_404_and_anonymous_goes_to_login(client, staff):
    assert client.get(reverse("campaigns:detail", args=["nong_thon_moi"])).status_code == 302
    client.force_login(staff)
    assert client.get(reverse("campaigns:detail", args=["khong_co"])).status_code == 404
