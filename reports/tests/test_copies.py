"""The per-process copies (mattran.copies): pages read plans, targets, indicators, campaigns and forms,
and a unit's children and its units per kind, from them, and a change made any way at all (the admin's
form, a bulk update, raw SQL, a rolled-back transaction) is on the next page, never a stale copy."""
import importlib
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mattran import copies
from mattran.copy_triggers import tables_with_trigger
from mattran.models import Unit, UnitPlacement, UnitSuccession
from mattran.selectors import active_kinds_within, children_active_on
from programs.models import Target
from programs.selectors import targets_in_order
from reports.models import FormIndicator, ReportForm
from reports.submissions.selectors import report_forms
from reports.tests.factories import make_world

pytestmark = pytest.mark.django_db
INBOX = "/bao-cao/"


@pytest.fixture
def world():
    return make_world()


def catalogue_models():
    """The models whose rows the copies hold: every model of programs and campaigns, the forms and their
    indicators (and the many-to-many tables between them)."""
    models = [*apps.get_app_config("programs").get_models(), *apps.get_app_config("campaigns").get_models(),
              ReportForm, FormIndicator]
    return [m for m in models if not m._meta.abstract and not m._meta.proxy and not m.__name__.startswith("Historical")]


def catalogue_tables():
    tables = set()
    for model in catalogue_models():
        tables.add(model._meta.db_table)
        tables.update(f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many)
    return tables


def test_every_table_a_copy_is_read_from_has_the_trigger_that_changes_its_token():
    """A table the copies read without the trigger would be served stale after a change: every one has it,
    and the migration's list is exactly those tables."""
    assert catalogue_tables() <= tables_with_trigger(connection)
    migration = importlib.import_module("reports.migrations.0014_catalogue_copy_triggers")
    assert set(migration.CATALOGUE_TABLES) == catalogue_tables()
    tree = {model._meta.db_table for model in (Unit, UnitPlacement, UnitSuccession)}
    assert tree <= tables_with_trigger(connection)
    assert set(importlib.import_module("mattran.migrations.0009_tree_copy_triggers").TREE_TABLES) == tree


def test_each_kind_of_write_gives_a_new_token_and_a_rollback_puts_the_old_one_back(world):
    seen = [copies.read_tokens()[copies.CATALOGUE]]
    tree = copies.read_tokens()[copies.TREE]

    def changed():
        token = copies.read_tokens()[copies.CATALOGUE]
        assert token not in seen
        seen.append(token)

    target = Target.objects.first()
    target.name = "Tên mới"
    target.save()
    changed()
    Target.objects.filter(pk=target.pk).update(name="Tên khác")  # a bulk action: no signal is sent
    changed()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_reportform SET name = name || ' (sửa)'")
    changed()
    FormIndicator.objects.filter(form=world.monthly).delete()
    changed()
    assert copies.read_tokens()[copies.TREE] == tree  # a catalogue change leaves the tree's copies
    before = copies.read_tokens()[copies.CATALOGUE]
    with pytest.raises(RuntimeError), transaction.atomic():
        Target.objects.update(name="Sẽ bị hủy")
        assert copies.read_tokens()[copies.CATALOGUE] != before  # the writing transaction sees its own token
        raise RuntimeError
    assert copies.read_tokens()[copies.CATALOGUE] == before
    assert "Sẽ bị hủy" not in {t.name for t in targets_in_order()}


def test_the_copy_is_reused_until_the_catalogue_changes_and_then_read_again(world):
    first = report_forms()
    with CaptureQueriesContext(connection) as queries:
        again = report_forms()
    assert again is first
    assert len(queries) == 1 and "mattran_copyversion" in queries[0]["sql"]  # the tokens, not the forms
    ReportForm.objects.filter(pk=world.monthly.pk).update(name="Báo cáo tháng (mới)")
    fresh = report_forms()
    assert fresh is not first
    assert {f.pk: f.name for f in fresh}[world.monthly.pk] == "Báo cáo tháng (mới)"


def test_a_changed_token_inside_a_rolled_back_transaction_never_serves_its_rows_afterwards(world):
    before = report_forms()
    with pytest.raises(RuntimeError), transaction.atomic():
        ReportForm.objects.filter(pk=world.monthly.pk).update(name="Chưa lưu")
        assert {f.pk: f.name for f in report_forms()}[world.monthly.pk] == "Chưa lưu"
        raise RuntimeError
    assert {f.pk: f.name for f in report_forms()}[world.monthly.pk] == world.monthly.name
    assert [f.pk for f in report_forms()] == [f.pk for f in before]


class _AdminForm(HTMLParser):
    """The fields a browser would post from an admin change page (inputs, selected options, text areas)."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append([name, a.get("value") or ("on" if a.get("type") == "checkbox" else "")])
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append([self._select, a.get("value") or ""])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def admin_change(client, url, **changes):
    page = client.get(url)
    assert page.status_code == 200
    form = _AdminForm()
    form.feed(page.content.decode())
    data = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in changes.items()})
    response = client.post(url, {**data, "_save": "Lưu"})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_form_renamed_in_the_admin_is_on_the_next_inbox_page_of_every_officer(client, world):
    """Given the staff's inbox read (the process holds the forms' copy), when an administrator renames the
    monthly form in the admin's change page, then the next inbox shows the new name, not the copy's."""
    client.force_login(world.staff)
    assert world.monthly.name in client.get(INBOX + "?status=all").content.decode()
    admin = type(client)()
    admin.force_login(type(world.staff).objects.create_superuser("quantri", "qt@example.vn", "x"))
    admin_change(admin, f"/admin/reports/reportform/{world.monthly.pk}/change/", name="Biểu tháng đã đổi tên")
    assert ReportForm.objects.get(pk=world.monthly.pk).name == "Biểu tháng đã đổi tên"
    officer = type(client)()
    officer.force_login(world.officer)
    for reader in (client, officer):
        html = reader.get(INBOX + "?status=all").content.decode()
        assert "Biểu tháng đã đổi tên" in html


def test_a_second_get_reads_the_catalogue_once_as_a_token(client, world):
    """The inbox's forms and the plans' terms come from the copy: a repeated page reads only the tokens."""
    client.force_login(world.staff)
    client.get(INBOX)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INBOX).status_code == 200
    sql = [q["sql"] for q in queries]
    assert sum("mattran_copyversion" in s for s in sql) == 1
    assert not [s for s in sql if 'FROM "reports_reportform"' in s or 'FROM "programs_actionplan"' in s]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_connections_change_is_unseen_until_it_commits_and_seen_by_the_next_page_after(client):
    """Two processes of the portal share a database: another connection renames a form. Until it commits,
    this process's pages keep the committed name (the token they read is the committed one); from the
    first request after the commit, the new name."""
    import psycopg2

    world = make_world()
    client.force_login(world.staff)
    assert world.monthly.name in client.get(INBOX + "?status=all").content.decode()
    other = psycopg2.connect(**{k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"})
    try:
        with other.cursor() as cursor:
            cursor.execute("UPDATE reports_reportform SET name = %s WHERE id = %s", ["Tên chưa lưu", world.monthly.pk])
        html = client.get(INBOX + "?status=all").content.decode()
        assert world.monthly.name in html and "Tên chưa lưu" not in html
        other.commit()
        assert "Tên chưa lưu" in client.get(INBOX + "?status=all").content.decode()
        assert {f.pk: f.name for f in report_forms()}[world.monthly.pk] == "Tên chưa lưu"
    finally:
        other.rollback()
        other.close()


def test_the_tree_copies_follow_a_unit_moved_ended_or_renamed_by_any_path(world):
    """The dashboard's tiles (a unit's children on a day) and its completeness (units per kind): read
    again after a bulk rename, a unit ended, a move of placements; served from the copy in between."""
    import datetime

    day = datetime.date(2019, 12, 31)
    province = world.province
    children = children_active_on(province.pk, day)
    assert {u.pk for u in children} >= {world.district.pk, world.other_district.pk}
    with CaptureQueriesContext(connection) as queries:
        assert children_active_on(province.pk, day) is children
    assert len(queries) == 1
    Unit.objects.filter(pk=world.district.pk).update(name="Huyện đổi tên")
    assert {u.pk: u.name for u in children_active_on(province.pk, day)}[world.district.pk] == "Huyện đổi tên"
    counts = dict(active_kinds_within(province.pk, province.kind, day))
    Unit.objects.filter(pk=world.other_district.pk).update(valid_to=datetime.date(2019, 6, 30))
    assert dict(active_kinds_within(province.pk, province.kind, day))["DISTRICT"] == counts["DISTRICT"] - 1
    assert world.other_district.pk not in {u.pk for u in children_active_on(province.pk, day)}
    with connection.cursor() as cursor:  # raw SQL on the placements: no signal, no model
        cursor.execute("UPDATE mattran_unitplacement SET valid_to = %s WHERE unit_id = %s", [datetime.date(2019, 1, 1), world.district.pk])
    assert world.district.pk not in {u.pk for u in children_active_on(province.pk, day)}


def test_a_keyed_copy_keeps_a_bounded_number_of_keys_and_answers_the_same_after_dropping_them(world, monkeypatch):
    """Many days asked of the tree (a unit's children on each): at most KEYED_COPIES_KEPT answers are kept,
    then all are dropped and read again; the answers never change."""
    import datetime

    monkeypatch.setattr(copies, "KEYED_COPIES_KEPT", 3)
    days = [datetime.date(2019, 12, d) for d in range(20, 28)]
    first = [children_active_on(world.province.pk, day) for day in days]
    kept = copies._copies["mattran.children_active_on"][1]
    assert len(kept) <= 3
    assert [children_active_on(world.province.pk, day) for day in days] == first


def test_within_tokens_read_once_the_tokens_are_read_once_for_every_copy_and_again_after(world):
    """A submission's recompute reads copies of the tree and of the catalogue: inside the block one token
    query serves both; after it, every use asks again (a change made then is seen)."""
    import datetime

    day = datetime.date(2019, 12, 31)
    report_forms()
    children_active_on(world.province.pk, day)
    with CaptureQueriesContext(connection) as queries, copies.tokens_read_once():
        report_forms()
        children_active_on(world.province.pk, day)
        report_forms()
    assert [q["sql"] for q in queries] == ["SELECT id, token FROM mattran_copyversion"]
    ReportForm.objects.filter(pk=world.monthly.pk).update(name="Báo cáo tháng (sau)")
    with CaptureQueriesContext(connection) as queries:
        names = {f.pk: f.name for f in report_forms()}
        children_active_on(world.province.pk, day)
    assert names[world.monthly.pk] == "Báo cáo tháng (sau)"
    assert sum("mattran_copyversion" in q["sql"] for q in queries) == 2


def test_the_grid_columns_follow_an_indicator_renamed_and_a_column_made_optional(client, world):
    """The grid's columns are the catalogue's copy: an indicator renamed by a bulk update and a column
    made optional by raw SQL are on the officer's next grid page, and the page drawn before (its
    columns' shallow copies) left the shared columns as they were."""
    from django.urls import reverse

    from programs.models import Indicator
    from reports.submissions.selectors import form_indicators_of

    url = reverse("reports:grid", args=[world.monthly.code, world.district.code, "2019-05"])
    client.force_login(world.officer)
    assert client.get(url).status_code == 200
    column_ids = list(FormIndicator.objects.filter(form=world.monthly).values_list("pk", flat=True))
    columns = form_indicators_of(world.monthly)
    assert [c.pk for c in columns] == column_ids and not any(hasattr(c, "choices") for c in columns)
    Indicator.objects.filter(pk=columns[0].indicator_id).update(name="Quỹ đã đổi tên")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_formindicator SET required = %s WHERE id = %s", [False, column_ids[0]])
    html = client.get(url).content.decode()
    assert "Quỹ đã đổi tên" in html
    fresh = form_indicators_of(world.monthly)
    assert fresh is not columns and fresh[0].required is False and fresh[0].indicator.name == "Quỹ đã đổi tên"
