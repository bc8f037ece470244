"""Program pages show the full title, tasks, indicators, targets and campaigns."""
import pytest
from django.urls import reverse

from mattran.models import OfficerRole
from programs.models import Indicator
from tests.factories import make_officer, make_tree

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
    names = dict(Indicator.objects.filter(code__in=["xep_loai_bctmt", "xep_loai_mttq"]).values_list("code", "name"))
    assert names["xep_loai_bctmt"] in html and names["xep_loai_mttq"] in html
    assert "xep_loai_bctmt" not in html  # names on screen, never raw codes
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


def test_the_plan_page_lists_the_programs_and_the_seeds_purpose_requirements_and_implementation(
    client, staff, django_assert_max_num_queries,
):
    """/chuong-trinh/ answers with the plan: "Mục đích", "Yêu cầu", the five programs, "Tổ chức thực hiện"."""
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get("/chuong-trinh/")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("Mục đích", "Yêu cầu", "Chương trình công tác trọng tâm", "Tổ chức thực hiện"):
        assert f'<h2 class="h5">{heading}</h2>' in html
    assert "Lãnh đạo MTTQ các cấp tổ chức quán triệt, học tập" in html  # purpose
    assert "Ban Thường trực Ủy ban MTTQ các cấp phối hợp với cấp ủy" in html  # requirements
    assert "Hằng năm Ban Thường trực Uỷ ban MTTQ tỉnh có kế hoạch kiểm tra" in html  # implementation
    assert "Thực hiện Chỉ thị số 01-CT/TW" in html  # preamble
    assert all(reverse("programs:detail", args=[n]) in html for n in range(1, 6))
    assert html.index("Yêu cầu") < html.index("Chương trình công tác trọng tâm") < html.index("Tổ chức thực hiện")


def test_the_festival_indicators_belong_to_program_one_as_the_seed_says(client, staff):
    from campaigns.models import Campaign

    festival = Campaign.objects.get(code="ngay_hoi_dai_doan_ket")
    assert festival.program.number == 1
    assert set(festival.indicators.values_list("code", flat=True)) == {
        "ngay_hoi_to_chuc", "ngay_hoi_ngay", "ngay_hoi_le_va_hoi", "ngay_hoi_bua_com",
    }
    ntm = Campaign.objects.get(code="nong_thon_moi")
    assert not ntm.indicators.filter(code__startswith="ngay_hoi").exists()
    client.force_login(staff)
    assert reverse("campaigns:detail", args=["ngay_hoi_dai_doan_ket"]) in client.get(
        reverse("programs:detail", args=[1])).content.decode()
