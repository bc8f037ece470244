"""Fault suite on the real PostgreSQL: concurrent officers and connections cut mid-request.

The worker-crash and broker-down cases live beside the target computation
(``reports/tests/test_worker_targets.py``); these two need only the database.
"""
import threading
from collections import Counter

import psycopg2
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from mattran.models import OfficerRole, UnitKind
from reports.models import DataValue, Submission, SubmissionStatus
from reports.submissions import services
from reports.submissions.services import submission_get_or_create, submission_submit, values_save
from reports.tests.factories import make_form, make_indicator, make_unit, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PERIOD = "2019-11"


def _district_world(districts: int, communes: int):
    """A province of ``districts`` districts, two officers each, a 3-indicator monthly form."""
    province = make_unit("P", UnitKind.PROVINCE, name="Tỉnh Thử")
    indicators = [make_indicator(f"f_so_{i}", name=f"Số {i}") for i in range(3)]
    form = make_form("f_thang", indicators)
    rows = []
    for d in range(districts):
        district = make_unit(f"D{d:02d}", UnitKind.DISTRICT, province, name=f"Huyện {d}")
        units = [make_unit(f"D{d:02d}C{c}", UnitKind.COMMUNE, district, name=f"Xã {d}-{c}") for c in range(communes)]
        first = make_user(f"a{d:02d}", district, OfficerRole.DISTRICT_OFFICER)
        second = make_user(f"b{d:02d}", district, OfficerRole.DISTRICT_OFFICER)
        submission = submission_get_or_create(form=form, unit=district, period=PERIOD, by=first)
        rows.append((district, units, (first, second), submission))
    return form, indicators, rows


def test_twenty_concurrent_officers_saving_and_submitting_lose_no_update():
    """Given 10 districts with two officers each, all 20 save the same version at once and submit.

    Exactly one save per district wins and is submitted; the other is refused (stale or locked),
    never merged; every stored value is the winner's, and history has one entry per value.
    """
    form, indicators, rows = _district_world(districts=10, communes=3)
    barrier = threading.Barrier(20)
    outcomes: dict[str, str] = {}

    def officer_works(user, submission, units, value):
        try:
            barrier.wait(timeout=30)
            cells = {(unit.pk, indicator.pk): value for unit in units for indicator in indicators}
            result = values_save(submission=submission, values=cells, by=user, expected_version=1)
            assert result.saved, result.errors
            submission_submit(submission=submission, by=user)
            outcomes[user.username] = "saved"
        except ValidationError as error:
            outcomes[user.username] = f"refused:{error.code}"
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[user.username] = f"error:{type(error).__name__}:{error}"
        finally:
            connections.close_all()

    threads = []
    for d, (_district, units, officers, submission) in enumerate(rows):
        for k, user in enumerate(officers):
            value = 100 * d + 10 * k + 1
            threads.append(threading.Thread(target=officer_works, args=(user, submission, units, value)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not [o for o in outcomes.values() if o.startswith("error")], outcomes
    for d, (district, units, officers, submission) in enumerate(rows):
        results = {user.username: outcomes[user.username] for user in officers}
        assert Counter(r == "saved" for r in results.values()) == Counter({True: 1, False: 1}), results
        winner = next(k for k, user in enumerate(officers) if outcomes[user.username] == "saved")
        submission.refresh_from_db()
        assert submission.status == SubmissionStatus.SUBMITTED
        assert submission.version >= 2  # one save (submitting may count as a change too)
        stored = DataValue.objects.filter(submission=submission)
        assert stored.count() == len(units) * len(indicators)
        assert {int(v.value_number) for v in stored} == {100 * d + 10 * winner + 1}
    assert DataValue.history.count() == 10 * 3 * 3


def _terminate(pid: int) -> None:
    """Cut a backend from the outside, as a network drop or an administrator would."""
    params = connection.get_connection_params()
    side = psycopg2.connect(**{k: v for k, v in params.items() if k in {"dbname", "user", "host", "port", "password"}})
    side.autocommit = True
    with side.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    side.close()


def test_connection_cut_mid_save_gives_clear_error_page_and_no_half_written_data(monkeypatch):
    """Given a grid save that has written its values, when its PostgreSQL backend is terminated
    before commit, then the officer sees the error page and not one of those values is stored."""
    form, indicators, rows = _district_world(districts=1, communes=4)
    district, units, (officer, _second), submission = rows[0]
    real_insert_history = services.insert_history
    cut = {}

    def insert_history_then_cut(*args, **kwargs):
        real_insert_history(*args, **kwargs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        _terminate(pid)
        cut["pid"] = pid

    monkeypatch.setattr(services, "insert_history", insert_history_then_cut)
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    connection.close()  # the request gets a connection of its own to cut
    data = {"version": "1"}
    data.update({f"v-{unit.pk}-{indicator.pk}": "7" for unit in units for indicator in indicators})
    response = client.post(reverse("reports:grid", args=[form.code, district.code, PERIOD]), data)

    assert cut, "the save never reached the point where the connection is cut"
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()
    connections.close_all()
    assert DataValue.objects.filter(submission=submission).count() == 0
    assert DataValue.history.count() == 0
    assert Submission.objects.get(pk=submission.pk).version == 1

