""""Việc cần làm" shows the work: the current draft on the first screen, approved work under its own tab,
filters by form, period and status; the staff queue filtered and sorted; bad filters never an error; scoped."""
import datetime
import re

import pytest
import time_machine

from mattran.access import officer_of
from reports.models import ReportForm, Submission, SubmissionStatus
from reports.submissions import inbox, selectors
from reports.tests.factories import make_form, make_world

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2020, 12, 3, 9, 0)
INBOX = "/bao-cao/"


@pytest.fixture
def world():
    return make_world()


def history(world, unit, *, today=TODAY.date()):
    """Every period due from ``unit`` approved, but for a few returned, sent and never started."""
    officer = world.officer if unit == world.district else world.other_officer
    _unit, forms = selectors.inbox_unit_and_forms(officer_of(officer))
    pairs = selectors.inbox_entries(unit, forms, today)
    moment = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    rows = []
    for n, (form, period) in enumerate(pairs):
        status = SubmissionStatus.APPROVED
        if n % 23 == 7:
            continue  # never started
        if n % 31 == 11:
            status = SubmissionStatus.SUBMITTED
        rows.append(Submission(form=form, unit=unit, period=str(period), year=period.year, status=status,
                               submitted_at=moment - datetime.timedelta(days=n), approved_at=moment))
    Submission.objects.bulk_create(rows, ignore_conflicts=True)
    return pairs


def rows_of(html, table="inbox"):
    body = html.split(f'id="{table}"')[1].split("</table>")[0]
    return re.findall(r'<tr data-form="([^"]+)" data-period="([^"]+)" data-status="([^"]+)"', body)


@time_machine.travel(TODAY, tick=False)
def test_the_open_draft_of_the_current_period_is_on_the_first_screen_of_seven_pages_of_history(client, world,
                                                                                               django_assert_max_num_queries):
    """Given a district with seven pages of reports (every month since 2016, the yearly forms), most approved,
    when its officer opens "Việc cần làm", then November's open draft is among the first rows of page one,
    after only what was returned, and approved work is not listed there."""
    ReportForm.objects.filter(code__in=["t_thang", "t_hoi"]).update(first_year=2016)
    make_form("t_hoa_giai", [world.indicators["hoa_giai_vu"]], first_year=2016)  # a second monthly report
    pairs = history(world, world.district)
    Submission.objects.update_or_create(unit=world.district, form=world.monthly, period="2020-11", defaults={
        "year": 2020, "status": SubmissionStatus.DRAFT, "submitted_at": None, "approved_at": None})
    Submission.objects.filter(unit=world.district, form=world.monthly, period="2019-03").update(
        status=SubmissionStatus.RETURNED, return_reason="Thiếu số liệu")
    client.force_login(world.officer)
    everything = client.get(INBOX, {"status": "all"})
    assert everything.context["page"].paginator.num_pages >= 7 and len(pairs) > 6 * 25
    with django_assert_max_num_queries(15):
        response = client.get(INBOX)
    rows = rows_of(response.content.decode())
    assert rows[0] == ("t_thang", "2019-03", "RETURNED")
    assert ("t_thang", "2020-11", "DRAFT") in rows[:3]
    assert all(status != "APPROVED" for _form, _period, status in rows)
    assert response.context["page"].paginator.num_pages == 1
    tabs = {key: count for key, _label, count in response.context["tabs"]}
    assert tabs["approved"] == Submission.objects.filter(unit=world.district, status="APPROVED").count()
    assert tabs["todo"] + tabs["approved"] == tabs["all"] == len(pairs)
    approved = rows_of(client.get(INBOX, {"status": "approved"}).content.decode())
    assert approved and {status for *_rest, status in approved} == {"APPROVED"}


@time_machine.travel(TODAY, tick=False)
def test_due_now_comes_before_overdue_and_waiting_last(world):
    """Returned, then due (soonest deadline, drafts first), then overdue (latest period first), then waiting."""
    today = TODAY.date()
    _unit, forms = selectors.inbox_unit_and_forms(officer_of(world.officer))
    forms = [f for f in forms if f.code.startswith("t_")]
    for period, status in (("2020-10", SubmissionStatus.SUBMITTED), ("2020-06", SubmissionStatus.DRAFT),
                           ("2018-02", SubmissionStatus.RETURNED)):
        Submission.objects.create(form=world.monthly, unit=world.district, period=period, year=int(period[:4]), status=status)
    items = inbox.inbox_listing(world.district, forms, {}, today)["items"]
    order = [(item.form.code, str(item.period), item.group) for item in items]
    assert order[0] == ("t_thang", "2018-02", inbox.RETURNED)
    # Due now, soonest deadline first: November's (5 December), the year's festival, December's (5 January).
    assert order[1:4] == [("t_thang", "2020-11", inbox.DUE), ("t_hoi", "2020", inbox.DUE), ("t_thang", "2020-12", inbox.DUE)]
    assert order[4:6] == [("t_thang", "2020-09", inbox.OVERDUE), ("t_thang", "2020-08", inbox.OVERDUE)]
    assert ("t_thang", "2020-06", inbox.OVERDUE) in order  # a draft past its deadline
    groups = [group for *_rest, group in order]
    assert groups == sorted(groups)
    assert order[-1] == ("t_thang", "2020-10", inbox.WAITING)


@time_machine.travel(TODAY, tick=False)
def test_filters_by_form_period_and_status(client, world):
    history(world, world.district)
    client.force_login(world.officer)
    rows = rows_of(client.get(INBOX, {"form": "t_hoi", "status": "all"}).content.decode())
    assert rows and {form for form, *_rest in rows} == {"t_hoi"}
    rows = rows_of(client.get(INBOX, {"form": "t_thang", "period": "2019", "status": "all"}).content.decode())
    assert sorted(period for _form, period, _status in rows) == [f"2019-{m:02d}" for m in range(1, 13)]
    rows = rows_of(client.get(INBOX, {"period": "2019-05", "status": "all"}).content.decode())
    assert ("t_thang", "2019-05") in [(form, period) for form, period, _status in rows]
    assert {period for _form, period, _status in rows} == {"2019-05"}
    rows = rows_of(client.get(INBOX, {"status": "not_started"}).content.decode())
    assert rows and {status for *_rest, status in rows} == {"NOT_STARTED"}
    html = client.get(INBOX, {"status": "submitted", "form": "t_thang"}).content.decode()
    assert {status for *_rest, status in rows_of(html)} == {"SUBMITTED"}
    # The tabs keep the filters; paging keeps the tab and the filters.
    assert 'href="?status=approved&amp;form=t_thang"' in html
    html = client.get(INBOX, {"status": "all", "form": "t_thang"}).content.decode()
    assert 'href="?status=all&amp;form=t_thang&amp;page=2"' in html


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(("params", "message"), [
    ({"form": "khong_co"}, "Không có biểu mẫu “khong_co” trong việc của đơn vị."),
    ({"period": "2019-13"}, "Kỳ báo cáo “2019-13” không hợp lệ"),
    ({"period": "'; drop table"}, "không hợp lệ"),
    ({"status": "xoa_het"}, "Không có trạng thái “xoa_het”."),
    ({"page": "abc"}, None),
    ({"page": "99999"}, None),
    ({"form": ["t_thang", "t_hoi"], "status": ""}, None),
])
def test_a_bad_filter_is_named_and_ignored_never_an_error(client, world, params, message):
    history(world, world.district)
    client.force_login(world.officer)
    response = client.get(INBOX, params)
    assert response.status_code == 200
    html = response.content.decode()
    if message:
        assert "Bộ lọc không hợp lệ nên đã bỏ qua" in html and message in html
    assert response.context["status"] == "todo" or params.get("status") not in ("xoa_het",)
    assert 'id="inbox"' in html or 'id="inbox-empty"' in html  # the list is still there


@time_machine.travel(TODAY, tick=False)
def test_a_district_officer_filtering_for_another_districts_items_sees_nothing_of_them(client, world):
    history(world, world.district)
    other = Submission.objects.create(form=world.monthly, unit=world.other_district, period="2020-09", year=2020,
                                      status=SubmissionStatus.RETURNED, return_reason="Bí mật của huyện hai")
    client.force_login(world.officer)
    for params in ({"form": "t_thang", "period": "2020-09", "status": "all"}, {"status": "returned"},
                   {"q_district": world.other_district.code, "status": "all", "period": "2020"}):
        response = client.get(INBOX, params)
        html = response.content.decode()
        assert all(item.unit == world.district for item in response.context["items"])
        assert "Bí mật của huyện hai" not in html and other.unit.name not in html
        assert "queue" not in response.context and 'id="review-queue"' not in html  # the queue is staff only
    # A province form is not a district's business, filtered for or not.
    html = client.get(INBOX, {"form": world.rating.code, "status": "all"}).content.decode()
    assert f"Không có biểu mẫu “{world.rating.code}”" in html
    assert {form for form, *_rest in rows_of(html)} <= {f.code for f in selectors.inbox_unit_and_forms(officer_of(world.officer))[1]}


def queued(world, n=30):
    """``n`` reports waiting for review: three districts' monthly reports, sent one day apart."""
    from mattran.models import UnitKind
    from tests.factories import make_unit

    third = make_unit("D3", "Huyện Ba", UnitKind.DISTRICT, world.province)
    units = [world.district, world.other_district, third]
    rows = []
    for n_ in range(n):
        unit = units[n_ % 3]
        year, month = 2016 + n_ // 12, n_ % 12 + 1
        rows.append(Submission(form=world.monthly, unit=unit, period=f"{year}-{month:02d}", year=year,
                               status=SubmissionStatus.SUBMITTED,
                               submitted_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=n_)))
    Submission.objects.bulk_create(rows, ignore_conflicts=True)
    Submission.objects.update_or_create(form=world.festival, unit=world.district, period="2019", defaults={
        "year": 2019, "status": SubmissionStatus.SUBMITTED, "submitted_at": datetime.datetime(2019, 12, 31, tzinfo=datetime.UTC)})
    return third


@time_machine.travel(TODAY, tick=False)
def test_the_staff_queue_filters_by_district_form_period_and_sorts_by_age(client, world, django_assert_max_num_queries):
    queued(world)
    client.force_login(world.staff)
    with django_assert_max_num_queries(15):
        response = client.get(INBOX)
    queue = response.context["queue"]
    assert queue.paginator.count == 31 and queue.paginator.num_pages == 2
    assert [s.period for s in queue][:2] == ["2019", "2016-01"]  # the longest waiting first
    assert queue[1].waiting_days == (TODAY.date() - datetime.date(2020, 1, 1)).days
    html = response.content.decode()
    table = html.split('id="review-queue"')[1].split("</table>")[0]
    assert "Tháng 1/2016" in table and not re.search(r">\s*2016-01\s*<", table)  # a period label, never the code
    assert "Xem và duyệt" in table and 'href="?q=2"' in html
    newest = client.get(INBOX, {"q_sort": "newest"}).context["queue"]
    assert newest[0].submitted_at > newest[1].submitted_at
    by_district = client.get(INBOX, {"q_district": "D2"}).context["queue"]
    assert by_district.paginator.count == 10 and {s.unit.code for s in by_district} == {"D2"}
    by_form = client.get(INBOX, {"q_form": world.festival.code}).context["queue"]
    assert [s.period for s in by_form] == ["2019"]
    by_year = client.get(INBOX, {"q_period": "2018"}).context["queue"]
    assert {s.year for s in by_year} == {2018} and by_year.paginator.count == 6
    by_period = client.get(INBOX, {"q_period": "2018-02", "q_district": "D2"}).context["queue"]
    assert [(s.unit.code, s.period) for s in by_period] == [("D2", "2018-02")]
    assert not client.get(INBOX, {"q_period": "2018-02", "q_district": "D1"}).context["queue"].object_list
    # Paging keeps the filters.
    html = client.get(INBOX, {"q_district": "D1", "q_sort": "newest", "q": "1"}).content.decode()
    assert "Không có báo cáo nào chờ duyệt" not in html and 'selected>Huyện Một</option>' in html


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("params", [
    {"q_district": "D9"}, {"q_district": "P"}, {"q_form": "khong_co"}, {"q_period": "2019-1"}, {"q_sort": "tron"},
    {"q": "-1"}, {"q": "x"},
])
def test_a_bad_queue_filter_is_named_and_ignored(client, world, params):
    queued(world, 5)
    client.force_login(world.staff)
    response = client.get(INBOX, params)
    assert response.status_code == 200 and response.context["queue"].paginator.count == 6
    html = response.content.decode()
    if not params.get("q"):
        assert 'id="queue-filter-errors"' in html
    if "q_period" in params:
        assert f'value="{params["q_period"]}"' in html  # the text typed is kept to correct


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("count", [6, 60])
def test_the_queue_and_filtered_inbox_need_the_same_queries_however_many_reports(client, world, count,
                                                                                 django_assert_num_queries):
    queued(world, count)
    history(world, world.district)
    client.force_login(world.staff)
    client.get(INBOX)  # the process's copies (forms, plans' terms, districts) read once
    with django_assert_num_queries(test_the_queue_and_filtered_inbox_need_the_same_queries_however_many_reports.staff):
        client.get(INBOX, {"q_district": "D1", "q_period": "2019", "q_sort": "newest"})
    client.force_login(world.officer)
    with django_assert_num_queries(test_the_queue_and_filtered_inbox_need_the_same_queries_however_many_reports.officer):
        client.get(INBOX, {"form": "t_thang", "period": "2019", "status": "all"})


# The session, the user with their officer and unit, the copies' tokens (forms, plans' terms and the
# filter's districts are copies), the officer's own reports; the queue: its count, the page's ids, then
# those reports with their form, unit and sender (by key).
test_the_queue_and_filtered_inbox_need_the_same_queries_however_many_reports.staff = 7
test_the_queue_and_filtered_inbox_need_the_same_queries_however_many_reports.officer = 4  # session, user, token, reports
