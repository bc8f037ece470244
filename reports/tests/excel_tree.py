"""A tiny unit tree, forms and officers for the Excel round-trip tests."""
from __future__ import annotations

import datetime
from decimal import Decimal

from mattran.models import OfficerRole, Unit, UnitKind
from programs.models import Indicator, RatingLevel, RatingScale
from reports.models import DataValue, FormIndicator, ReportForm, Submission
from tests.factories import make_officer, make_unit

# code: (name, unit label, value type, scale code)
INDICATORS = {
    "ngay_hoi_to_chuc": ("Khu dân cư tổ chức Ngày hội", "", "BOOLEAN", None),
    "ngay_hoi_ngay": ("Ngày tổ chức Ngày hội", "", "DATE", None),
    "ngay_hoi_le_va_hoi": ("Có cả phần lễ và phần hội", "", "BOOLEAN", None),
    "ngay_hoi_bua_com": ("Tổ chức bữa cơm đoàn kết", "", "BOOLEAN", None),
    "xep_loai_bctmt": ("Xếp loại Ban công tác Mặt trận", "", "RATING", "bctmt"),
    "quy_vnn_thu": ("Quỹ Vì người nghèo vận động được", "triệu đồng", "DECIMAL", None),
    "hoa_giai_vu": ("Số vụ hòa giải", "vụ", "INTEGER", None),
    "hoa_giai_thanh": ("Số vụ hòa giải thành", "vụ", "INTEGER", None),
}

FORMS = {
    # code: (name, period type, row kind, submitter kind, indicators)
    "xls_ngay_hoi": ("Ngày hội Đại đoàn kết", "YEARLY", "AREA", "DISTRICT",
                     ["ngay_hoi_to_chuc", "ngay_hoi_ngay", "ngay_hoi_le_va_hoi", "ngay_hoi_bua_com"]),
    "xls_xep_loai_bctmt": ("Xếp loại BCTMT", "YEARLY", "AREA", "DISTRICT", ["xep_loai_bctmt"]),
    "xls_thang": ("Báo cáo tháng", "MONTHLY", "COMMUNE", "DISTRICT", ["quy_vnn_thu", "hoa_giai_vu", "hoa_giai_thanh"]),
}


def indicator(code: str) -> Indicator:
    name, label, kind, scale = INDICATORS[code]
    found, _ = Indicator.objects.get_or_create(
        code=code,
        defaults={
            "name": name, "unit_label": label, "value_type": kind,
            "rating_scale": RatingScale.objects.get(code=scale) if scale else None,
            "min_value": Decimal(0) if kind in ("INTEGER", "DECIMAL") else None,
        },
    )
    return found


def form(code: str) -> ReportForm:
    name, period_type, row_kind, submitter_kind, codes = FORMS[code]
    found, _ = ReportForm.objects.get_or_create(
        code=code,
        defaults={"name": name, "period_type": period_type, "row_kind": row_kind, "submitter_kind": submitter_kind},
    )
    for order, indicator_code in enumerate(codes):
        FormIndicator.objects.get_or_create(form=found, indicator=indicator(indicator_code), defaults={"order": order})
    return found


def unit(code, name, kind, parent=None) -> Unit:
    return make_unit(code, name, kind, parent)


def tree(areas_per_commune: int = 2) -> dict[str, Unit]:
    """Province 20 with districts 180 (communes 06001, 06002) and 181 (commune 06101), and areas."""
    units = {"province": unit("20", "Lạng Sơn", UnitKind.PROVINCE)}
    units["d1"] = unit("180", "Huyện Một", UnitKind.DISTRICT, units["province"])
    units["d2"] = unit("181", "Huyện Hai", UnitKind.DISTRICT, units["province"])
    units["c1"] = unit("06001", "Xã Một", UnitKind.COMMUNE, units["d1"])
    units["c2"] = unit("06002", "Xã Hai", UnitKind.COMMUNE, units["d1"])
    units["c3"] = unit("06101", "Xã Ba", UnitKind.COMMUNE, units["d2"])
    for commune in ("c1", "c2", "c3"):
        for n in range(1, areas_per_commune + 1):
            parent = units[commune]
            units[f"{commune}a{n}"] = unit(f"{parent.code}{n:03d}", f"Thôn {n} {parent.name}", UnitKind.AREA, parent)
    return units


def officer(username: str, scope: Unit, role=OfficerRole.DISTRICT_OFFICER):
    return make_officer(username, scope, role, password="pw", email=f"{username}@example.org")


def level(scale: str, code: str) -> RatingLevel:
    return RatingLevel.objects.get(scale__code=scale, code=code)


def value(form_obj: ReportForm, submitter: Unit, row: Unit, code: str, period: str, **typed) -> DataValue:
    """Store one value directly (test set-up only), creating the submission if needed."""
    submission, _ = Submission.objects.get_or_create(
        form=form_obj, unit=submitter, period=period, defaults={"year": int(period[:4])}
    )
    return DataValue.objects.create(
        indicator=Indicator.objects.get(code=code), unit=row, period=period, year=int(period[:4]),
        submission=submission, **typed,
    )


FESTIVAL_DAY = datetime.date(2019, 11, 15)
