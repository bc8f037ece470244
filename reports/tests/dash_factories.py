"""Rows the dashboard and exports read, written directly (the computation is another module's job)."""
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mattran.models import OfficerRole
from programs.loaders import load_indicators
from programs.models import Indicator, Target
from reports.models import IndicatorAggregate, PlanValue, TargetResult
from tests.factories import make_officer, make_tree

# The indicators this module's tests use, in case the reporting catalogue is not loaded.
FALLBACK_INDICATORS = {
    "quy_vnn_thu": ('Quỹ "Vì người nghèo" vận động được', "triệu đồng", "DECIMAL", None, "SUM", 2, 0),
    "quy_vnn_chi": ('Quỹ "Vì người nghèo" đã chi', "triệu đồng", "DECIMAL", None, "SUM", 2, 0),
    "nha_ddk_xay_moi": ("Nhà Đại đoàn kết xây mới", "căn", "INTEGER", None, "SUM", 2, 0),
    "nha_ddk_sua_chua": ("Nhà Đại đoàn kết sửa chữa", "căn", "INTEGER", None, "SUM", 2, 0),
    "ho_thoat_ngheo": ("Hộ thoát nghèo", "hộ", "INTEGER", None, "SUM", 2, 0),
    "giam_sat": ("Cuộc giám sát", "cuộc", "INTEGER", None, "SUM", 3, 0),
    "doi_ngoai": ("Hoạt động đối ngoại nhân dân", "cuộc", "INTEGER", None, "SUM", 4, 0),
    "tap_huan_lop": ("Lớp tập huấn, bồi dưỡng", "lớp", "INTEGER", None, "SUM", 5, 0),
}


def indicators() -> dict[str, Indicator]:
    missing = {c: s for c, s in FALLBACK_INDICATORS.items() if not Indicator.objects.filter(code=c).exists()}
    if missing:
        load_indicators(missing)
    return {i.code: i for i in Indicator.objects.all()}


def world(districts=2):
    """A province with ``districts`` districts (one commune and one area each) and three officers."""
    province = make_tree(districts=districts, communes=1, areas=1)
    d1 = province.children.get(code="D1")
    d2 = province.children.get(code="D2")
    return {
        "province": province, "d1": d1, "d2": d2,
        "staff": make_officer("tinh", province, OfficerRole.PROVINCE_STAFF),
        "officer1": make_officer("huyen1", d1),
        "officer2": make_officer("huyen2", d2),
        "indicators": indicators(),
    }


def put_result(target_code, unit, year, numerator, denominator, *, due=True):
    target = Target.objects.get(code=target_code)
    percent = (Decimal(numerator) * 100 / denominator).quantize(Decimal("0.01")) if denominator else None
    return TargetResult.objects.create(
        target=target, unit=unit, year=year, numerator=numerator, denominator=denominator, percent=percent,
        achieved=target.meets(numerator, denominator), due=due and target.is_due(year), not_reported=0,
        computed_at=timezone.now(),
    )


def put_value(code, unit, period, value, reporting_units=1):
    return IndicatorAggregate.objects.create(
        indicator=Indicator.objects.get(code=code), unit=unit, period=period, year=int(str(period)[:4]),
        value=Decimal(str(value)), reporting_units=reporting_units, computed_at=timezone.now(),
    )


def put_plan(code, unit, year, value):
    return PlanValue.objects.create(indicator=Indicator.objects.get(code=code), unit=unit, year=year, value=Decimal(str(value)))


def login(client, user):
    client.force_login(user)
    return client


def fill_figures(province, districts):
    for year in range(2016, 2021):
        for code in ("ngay_hoi_kdc", "bctmt_kha_tro_len", "mttq_vung_manh"):
            put_result(code, province, year, 90, 100)
        for code in ("quy_vnn_thu", "quy_vnn_chi", "nha_ddk_xay_moi", "ho_thoat_ngheo", "giam_sat", "tap_huan_lop"):
            put_value(code, province, str(year), 10)
    for district in districts:
        put_result("ngay_hoi_kdc", district, 2019, 96, 100)
    put_plan("quy_vnn_thu", province, 2019, 100)


def count_queries(client, params, *, cold=True):
    if cold:
        cache.clear()  # the figures path, not a cached page (the session is reloaded from the database)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard:index"), params)
    assert response.status_code == 200
    return len(queries), response
