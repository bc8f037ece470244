"""Tiny trees, officers and forms for the reporting tests (no need to load all of Lạng Sơn)."""
from __future__ import annotations

from dataclasses import dataclass

from mattran.models import OfficerRole, Unit, UnitKind
from programs.models import Indicator, RatingLevel, RatingScale, ValueType
from reports.models import FormIndicator, FormKind, ReportForm
from reports.periods import PeriodType
from tests.factories import UnitFactory, make_officer


def make_unit(code, kind, parent=None, name=None):
    return UnitFactory(code=code, name=name or f"Đơn vị {code}", kind=kind, parent=parent)


def make_user(username, unit=None, role=None, email=None):
    return make_officer(
        username, unit, role, password="pw-123456", email=email if email is not None else f"{username}@example.org",
    )


def make_indicator(code, value_type=ValueType.INTEGER, name=None, scale=None, min_value=0, max_value=None):
    # The data migrations may already hold an indicator of that code: the rules hang on codes.
    indicator, _ = Indicator.objects.update_or_create(code=code, defaults=dict(
        name=name or f"Chỉ số {code}", value_type=value_type, rating_scale=scale,
        min_value=None if value_type not in (ValueType.INTEGER, ValueType.DECIMAL) else min_value,
        max_value=max_value, unit_label="cuộc",
    ))
    return indicator


def make_form(code, indicators, *, period_type=PeriodType.MONTHLY, row_kind=UnitKind.COMMUNE,
              submitter_kind=UnitKind.DISTRICT, kind=FormKind.DATA, first_year=2018, deadline_days=5, required=True):
    form = ReportForm.objects.create(
        code=code, name=f"Biểu {code}", period_type=period_type, row_kind=row_kind,
        submitter_kind=submitter_kind, kind=kind, first_year=first_year, deadline_days=deadline_days,
    )
    for order, indicator in enumerate(indicators):
        FormIndicator.objects.create(form=form, indicator=indicator, order=order, required=required)
    return form


def make_scale():
    scale = RatingScale.objects.create(code="thu_bctmt", name="Xếp loại BCTMT")
    for rank, (code, name) in enumerate([("yeu", "Yếu"), ("trung_binh", "Trung bình"), ("kha", "Khá"), ("tot", "Tốt")]):
        RatingLevel.objects.create(scale=scale, code=code, name=name, rank=rank + 1)
    return scale


@dataclass
class World:
    province: Unit
    district: Unit
    other_district: Unit
    communes: list
    areas: list
    other_commune: Unit
    staff: object
    officer: object
    other_officer: object
    commune_officer: object
    monthly: ReportForm
    festival: ReportForm
    rating: ReportForm
    plan: ReportForm
    indicators: dict


def make_world(communes: int = 2, areas_per_commune: int = 2) -> World:
    """A province with two districts; the first has ``communes`` communes with areas; four forms."""
    province = make_unit("P", UnitKind.PROVINCE, name="Tỉnh Thử")
    district = make_unit("D1", UnitKind.DISTRICT, province, name="Huyện Một")
    other_district = make_unit("D2", UnitKind.DISTRICT, province, name="Huyện Hai")
    commune_list, area_list = [], []
    for c in range(communes):
        commune = make_unit(f"D1C{c:03d}", UnitKind.COMMUNE, district, name=f"Xã {c:03d}")
        commune_list.append(commune)
        for a in range(areas_per_commune):
            area_list.append(make_unit(f"D1C{c:03d}A{a}", UnitKind.AREA, commune, name=f"Thôn {c:03d}-{a}"))
    other_commune = make_unit("D2C000", UnitKind.COMMUNE, other_district, name="Xã Khác")
    make_unit("D2C000A0", UnitKind.AREA, other_commune, name="Thôn Khác")
    scale = make_scale()
    ind = {
        "quy_vnn_thu": make_indicator("quy_vnn_thu", ValueType.DECIMAL, "Quỹ thu"),
        "quy_vnn_chi": make_indicator("quy_vnn_chi", ValueType.DECIMAL, "Quỹ chi"),
        "hoa_giai_vu": make_indicator("hoa_giai_vu", name="Vụ hòa giải"),
        "hoa_giai_thanh": make_indicator("hoa_giai_thanh", name="Hòa giải thành"),
        "ngay_hoi_to_chuc": make_indicator("ngay_hoi_to_chuc", ValueType.BOOLEAN, "Tổ chức Ngày hội"),
        "ngay_hoi_ngay": make_indicator("ngay_hoi_ngay", ValueType.DATE, "Ngày tổ chức"),
        "ngay_hoi_le_va_hoi": make_indicator("ngay_hoi_le_va_hoi", ValueType.BOOLEAN, "Đủ lễ và hội"),
        "xep_loai": make_indicator("t_xep_loai", ValueType.RATING, "Xếp loại", scale=scale),
        "ke_hoach_quy": make_indicator("t_ke_hoach_quy", ValueType.DECIMAL, "Kế hoạch quỹ"),
    }
    monthly = make_form("t_thang", [ind[c] for c in ("quy_vnn_thu", "quy_vnn_chi", "hoa_giai_vu", "hoa_giai_thanh")])
    festival = make_form(
        "t_hoi", [ind[c] for c in ("ngay_hoi_to_chuc", "ngay_hoi_ngay", "ngay_hoi_le_va_hoi")],
        period_type=PeriodType.YEARLY, row_kind=UnitKind.AREA, deadline_days=0,
    )
    FormIndicator.objects.filter(form=festival, indicator__code__in=["ngay_hoi_ngay", "ngay_hoi_le_va_hoi"]).update(
        required=False
    )
    rating = make_form("t_xl", [ind["xep_loai"]], period_type=PeriodType.YEARLY, row_kind=UnitKind.DISTRICT,
                       submitter_kind=UnitKind.PROVINCE, deadline_days=15)
    plan = make_form("t_kh", [ind["ke_hoach_quy"]], period_type=PeriodType.YEARLY, row_kind=UnitKind.DISTRICT,
                     submitter_kind=UnitKind.PROVINCE, kind=FormKind.PLAN, deadline_days=0)
    return World(
        province=province, district=district, other_district=other_district, communes=commune_list,
        areas=area_list, other_commune=other_commune,
        staff=make_user("tinh", province, OfficerRole.PROVINCE_STAFF),
        officer=make_user("huyen1", district, OfficerRole.DISTRICT_OFFICER),
        other_officer=make_user("huyen2", other_district, OfficerRole.DISTRICT_OFFICER),
        commune_officer=make_user("xa1", commune_list[0], OfficerRole.COMMUNE_OFFICER) if commune_list else None,
        monthly=monthly, festival=festival, rating=rating, plan=plan, indicators=ind,
    )


def cells(world: World, data: dict) -> dict:
    """{(unit, indicator code): raw} → the {(unit id, indicator id): raw} that values_save takes."""
    return {(unit.pk, world.indicators[code].pk): raw for (unit, code), raw in data.items()}


def monthly_draft_filled(world: World, period: str = "2019-05"):
    """The district's monthly draft for ``period`` with every cell saved (ready to submit)."""
    from reports.submissions.services import submission_get_or_create, values_save

    submission = submission_get_or_create(form=world.monthly, unit=world.district, period=period, by=world.officer)
    data = {(c.pk, world.indicators[code].pk): "1" for c in world.communes
            for code in ("quy_vnn_thu", "quy_vnn_chi", "hoa_giai_vu", "hoa_giai_thanh")}
    assert values_save(submission=submission, values=data, by=world.officer, expected_version=submission.version).saved
    return submission
