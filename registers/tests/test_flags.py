"""Flags: households still poor two years after adoption, overdue voters' petitions."""
import datetime

import pytest
import time_machine
from django.urls import reverse

from registers.models import OVERDUE, PetitionStatus

from .factories import household, petition

pytestmark = pytest.mark.django_db


def flagged_names(response):
    return {str(obj): flag for obj, flag, _values in response.context["rows"]}


@time_machine.travel(datetime.datetime(2021, 6, 1, 9, tzinfo=datetime.UTC), tick=False)
def test_households_adopted_two_years_ago_and_still_poor_are_flagged(client1, tree):
    """In 2021: adopted 2019 and still poor is flagged; adopted 2020, or out of poverty, is not."""
    household(tree.area1, head_name="Cũ còn nghèo", year_adopted=2019)
    household(tree.area1, head_name="Mới nhận", year_adopted=2020)
    household(tree.area1, head_name="Đã thoát nghèo", year_adopted=2018, year_left_poverty=2020)
    url = reverse("registers:list", args=["ho-ngheo-nhan-do-dau"])
    response = client1.get(url)
    assert flagged_names(response) == {"Cũ còn nghèo": True, "Mới nhận": False, "Đã thoát nghèo": False}
    assert "Chưa thoát nghèo sau 2 năm" in response.content.decode()
    only = client1.get(url, {"still_poor": "on"})
    assert set(flagged_names(only)) == {"Cũ còn nghèo"}


@time_machine.travel(datetime.datetime(2020, 12, 31, 9, tzinfo=datetime.UTC), tick=False)
def test_a_household_adopted_one_year_ago_is_not_yet_flagged(client1, tree):
    row = household(tree.area1, year_adopted=2019)
    assert flagged_names(client1.get(reverse("registers:list", args=["ho-ngheo-nhan-do-dau"]))) == {str(row): False}


@time_machine.travel(datetime.datetime(2019, 4, 11, 9, tzinfo=datetime.UTC), tick=False)
def test_pending_petitions_past_their_due_date_are_overdue(client1, tree):
    """On 11/04/2019: due 10/04 and pending is overdue; due today, or answered, is not."""
    late = petition(tree.commune1, content="Quá hạn", due_on=datetime.date(2019, 4, 10))
    petition(tree.commune1, content="Đến hạn hôm nay", due_on=datetime.date(2019, 4, 11))
    petition(tree.commune1, content="Đã trả lời", due_on=datetime.date(2019, 4, 1), status=PetitionStatus.ANSWERED,
             answered_on=datetime.date(2019, 4, 5), answer="Đã xử lý")
    url = reverse("registers:list", args=["kien-nghi-cu-tri"])
    rows = {obj.content: flag for obj, flag, _v in client1.get(url).context["rows"]}
    assert rows == {"Quá hạn": True, "Đến hạn hôm nay": False, "Đã trả lời": False}
    assert [o.content for o, _f, _v in client1.get(url, {"status": OVERDUE}).context["rows"]] == ["Quá hạn"]
    assert [o.content for o, _f, _v in client1.get(url, {"status": "PENDING"}).context["rows"]] == ["Đến hạn hôm nay"]
    assert late.status_on(datetime.date(2019, 4, 11))[1] == "Quá hạn"
    detail = client1.get(reverse("registers:detail", args=["kien-nghi-cu-tri", late.pk]))
    assert detail.context["flagged"] is True
