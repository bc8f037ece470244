"""Program pages show the full title, tasks, indicators, targets and campaigns."""
import pytest
from django.urls import reverse

from mattran.models import OfficerRole
from mattran.tests.factories import make_officer, make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return make_officer("tinh", make_tree(districts=1, communes=1, areas=1), OfficerRole.PROVINCE_STAFF)


def test_program_five_shows_tasks_indicators_and_its_two_targets(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("programs:detail", args=[5]))
    assert response.status_code == 200
    program = response.context["program"]
    html = response.content.decode()
    assert program.title in html
    assert all(task.text in html for task in program.tasks.all())
    assert "xep_loai_bctmt" in html and "xep_loai_mttq" in html
    assert "&gt; 90%" in html and "&gt; 85%" in html and "đánh giá năm 2019" in html
    assert reverse("dashboard:program", args=[5]) in html  # figures by year and unit


def test_program_two_lists_its_campaigns_with_links(client, staff):
    client.force_login(staff)
    html = client.get(reverse("programs:detail", args=[2])).content.decode()
    assert reverse("campaigns:detail", args=["ngay_vi_nguoi_ngheo"]) in html
    assert reverse("campaigns:detail", args=["thang_cao_diem"]) in html


def test_an_unknown_program_number_answers_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("programs:detail", args=[9])).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("programs:detail", args=[1]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
