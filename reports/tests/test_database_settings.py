"""PostgreSQL settings per kind of work: the web's short queries without JIT or parallel workers,
the yearly roll-up's long statement with them (figures in benchmarks/RESULTS.md)."""
import pytest
from django.db import connection

from reports.targets import runs
from reports.tests.target_factories import festival
from tests.factories import make_tree

pytestmark = [pytest.mark.postgres]


def show(name):
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_web_connections_run_without_jit_or_parallel_workers():
    assert (show("jit"), show("max_parallel_workers_per_gather")) == ("off", "0")


@pytest.mark.django_db(transaction=True)  # SET LOCAL ends with a real transaction
def test_the_yearly_rollup_gets_them_back_for_its_own_transaction_only():
    from mattran.models import Unit, UnitKind

    make_tree(districts=1, communes=1, areas=2)
    festival(Unit.objects.get(code="D1"), 2019, {a: True for a in Unit.objects.filter(kind=UnitKind.AREA)})
    seen = []

    def spy(execute, sql, params, many, context):
        if sql.startswith(("SET LOCAL", "CREATE TEMPORARY TABLE rollup_new")):
            seen.append(sql.split(" AS ")[0] if sql.startswith("CREATE") else sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        runs.year_recompute(year=2019)
    assert seen.index("SET LOCAL max_parallel_workers_per_gather = 2") < seen.index("CREATE TEMPORARY TABLE rollup_new ON COMMIT DROP")
    assert "SET LOCAL jit = off" in seen  # measured slower with JIT, even in the worker
    assert (show("jit"), show("max_parallel_workers_per_gather")) == ("off", "0")  # the connection's own again


def test_the_celery_worker_connects_with_the_servers_own_settings():
    from django.conf import settings

    from mattran.celery import analytic_connections

    databases = {"default": {"OPTIONS": {"options": settings.DATABASE_WEB_OPTIONS, "sslmode": "prefer"}},
                 "other": {"OPTIONS": {"options": "-c search_path=x"}}}
    analytic_connections(databases, settings.DATABASE_WEB_OPTIONS)
    assert databases == {"default": {"OPTIONS": {"sslmode": "prefer"}}, "other": {"OPTIONS": {"options": "-c search_path=x"}}}


@pytest.mark.django_db
def test_a_whole_tree_rerun_of_a_target_writes_only_changed_rows():
    """The targets' whole-tree statement (PostgreSQL): an unchanged rerun writes no row and keeps
    each row's computed_at; one area's changed value rewrites its commune, district and province;
    a unit that no longer counts loses its row."""
    from mattran.models import Unit, UnitKind
    from reports.models import DataValue, TargetResult
    from reports.tests.computation_world import compute

    make_tree(districts=2, communes=1, areas=2)
    festival(Unit.objects.get(code="D1"), 2019, {a: True for a in Unit.objects.filter(kind=UnitKind.AREA, district__code="D1")})
    festival(Unit.objects.get(code="D2"), 2019, {a: False for a in Unit.objects.filter(kind=UnitKind.AREA, district__code="D2")})
    assert compute("ngay_hoi_kdc") == 5  # province, 2 districts, 2 communes
    before = dict(TargetResult.objects.values_list("unit__code", "computed_at"))
    assert compute("ngay_hoi_kdc") == 0
    assert dict(TargetResult.objects.values_list("unit__code", "computed_at")) == before
    DataValue.objects.filter(unit__code="D2C1A1").update(value_bool=True)
    assert compute("ngay_hoi_kdc") == 3
    assert TargetResult.objects.get(unit__code="20").numerator == 3
