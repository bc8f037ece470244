"""The adopted-households summary page and the reviews of coordination programmes."""
import datetime

import pytest
from django.urls import reverse

from registers.models import CoordinationReview

from .factories import coordination, household, organisation

pytestmark = pytest.mark.django_db


def test_summary_counts_households_per_commune_organisation_and_year_within_scope(client1, tree):
    """District 1's officer sees counts for their communes only, split by organisation and year."""
    household(tree.area1)
    household(tree.area1b, year_left_poverty=2020)
    household(tree.area1, organisation=organisation("hoi_cuu_chien_binh"))
    household(tree.area1, year_adopted=2018)
    household(tree.area2)
    response = client1.get(reverse("registers:household-summary"))
    rows = {(r["unit__commune__name"], r["organisation__name"], r["year_adopted"]): (r["households"], r["left_poverty"])
            for r in response.context["rows"]}
    assert rows == {
        ("Xã 1", "Hội Nông dân", 2019): (2, 1),
        ("Xã 1", "Hội Cựu chiến binh", 2019): (1, 0),
        ("Xã 1", "Hội Nông dân", 2018): (1, 0),
    }
    only_2018 = client1.get(reverse("registers:household-summary"), {"year": 2018})
    assert len(only_2018.context["rows"]) == 1


def test_summary_needs_a_login(client, tree):
    response = client.get(reverse("registers:household-summary"))
    assert response.status_code == 302


def test_a_review_is_added_to_a_programme_in_scope_and_shown(client1, tree):
    programme = coordination(tree.district1)
    url = reverse("registers:review-add", args=[programme.pk])
    response = client1.post(url, {"reviewed_on": "2019-12-20", "content": "Sơ kết năm 2019"})
    assert response.status_code == 302
    review = programme.reviews.get()
    assert review.reviewed_on == datetime.date(2019, 12, 20)
    assert review.history.get().history_user.username == "huyen1"
    page = client1.get(reverse("registers:detail", args=["chuong-trinh-phoi-hop", programme.pk]))
    assert "Sơ kết năm 2019" in page.content.decode()


def test_a_review_before_signing_is_refused_with_a_message(client1, tree):
    programme = coordination(tree.district1)
    response = client1.post(reverse("registers:review-add", args=[programme.pk]),
                            {"reviewed_on": "2018-12-20", "content": "Sớm"}, follow=True)
    assert not CoordinationReview.objects.exists()
    assert "Ngày sơ kết không được trước ngày ký chương trình." in response.content.decode()


def test_another_districts_officer_cannot_add_a_review(client, tree, officer2):
    programme = coordination(tree.district1)
    client.force_login(officer2)
    response = client.post(reverse("registers:review-add", args=[programme.pk]),
                           {"reviewed_on": "2019-12-20", "content": "Không được"})
    assert response.status_code == 404
    assert not CoordinationReview.objects.exists()
