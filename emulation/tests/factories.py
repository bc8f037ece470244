"""Tiny unit trees (from tests/factories.py), officers and hand-made guides for the emulation tests."""
import itertools
from decimal import Decimal

from django.utils import timezone

from mattran.models import UnitKind
from programs.models import Target
from reports.models import TargetResult
from tests.factories import ROLE_OF_KIND, UnitFactory, make_officer

from ..loaders import BANDS
from ..models import ClassificationBand, Criterion, EmulationGuide, Section

_seq = itertools.count(1)


def unit(kind, parent=None, name=None):
    n = next(_seq)
    return UnitFactory(code=f"T{kind[0]}{n}", name=name or f"{kind.title()} {n}", kind=kind, parent=parent)


def tree(districts=2, communes=2, areas=2):
    """A province with ``districts`` districts, each with communes, each with areas."""
    province = unit(UnitKind.PROVINCE, name="Tỉnh thử")
    out = {"province": province, "districts": [], "communes": {}, "areas": {}}
    for d in range(districts):
        district = unit(UnitKind.DISTRICT, province, name=f"Huyện {d + 1}")
        out["districts"].append(district)
        out["communes"][district.pk] = []
        for c in range(communes):
            commune = unit(UnitKind.COMMUNE, district, name=f"Xã {d + 1}.{c + 1}")
            out["communes"][district.pk].append(commune)
            out["areas"][commune.pk] = [unit(UnitKind.AREA, commune) for _ in range(areas)]
    return out


def officer(unit_, role=None, username=None):
    return make_officer(username or f"user{next(_seq)}", unit_, role or ROLE_OF_KIND[unit_.kind], password="x")


def guide(year=2031, kind=UnitKind.DISTRICT, auto_method="PROPORTIONAL", bonus_cap=None, penalty_cap=None,
          section_bonus_cap=None, section_penalty_cap=None):
    """Section 1: manual A (40) and B (30), automatic festival C (30). Section 2: bonus T (5), penalty P (5)."""
    g = EmulationGuide.objects.create(
        year=year, scored_kind=kind, title=f"Hướng dẫn thử {year}", bonus_cap=bonus_cap, penalty_cap=penalty_cap
    )
    s1 = Section.objects.create(guide=g, order=1, title="Phần một")
    Criterion.objects.create(section=s1, order=1, code="A", text="Tiêu chí A", max_points=Decimal("40"))
    Criterion.objects.create(section=s1, order=2, code="B", text="Tiêu chí B", max_points=Decimal("30"))
    Criterion.objects.create(
        section=s1, order=3, code="C", text="Ngày hội", max_points=Decimal("30"), mode="AUTOMATIC",
        source="TARGET", target=Target.objects.get(code="ngay_hoi_kdc"), method=auto_method,
    )
    s2 = Section.objects.create(
        guide=g, order=2, title="Thưởng, trừ", bonus_cap=section_bonus_cap, penalty_cap=section_penalty_cap
    )
    Criterion.objects.create(section=s2, order=1, code="T", text="Thưởng", max_points=Decimal("5"), kind="BONUS")
    Criterion.objects.create(section=s2, order=2, code="T2", text="Thưởng 2", max_points=Decimal("5"), kind="BONUS")
    Criterion.objects.create(section=s2, order=3, code="P", text="Trừ", max_points=Decimal("5"), kind="PENALTY")
    Criterion.objects.create(section=s2, order=4, code="P2", text="Trừ 2", max_points=Decimal("5"), kind="PENALTY")
    for name, minimum, order in BANDS:
        ClassificationBand.objects.create(guide=g, name=name, min_total=Decimal(minimum), order=order)
    return g


def result(target_code, unit_, year, numerator, denominator, not_reported=0):
    target = Target.objects.get(code=target_code)
    percent = (Decimal(numerator) * 100 / denominator).quantize(Decimal("0.01")) if denominator else None
    row, _ = TargetResult.objects.update_or_create(
        target=target, unit=unit_, year=year,
        defaults={
            "numerator": numerator, "denominator": denominator, "percent": percent,
            "achieved": target.meets(numerator, denominator), "due": True, "not_reported": not_reported,
            "computed_at": timezone.now(),
        },
    )
    return row
