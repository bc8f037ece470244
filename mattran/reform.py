"""The July 2025 two-level reform as data, from the PyPI package ``vietnamadminunits``.

The package holds the pre-reform list (63 provinces, 696 districts, 10,040 communes), the 2025
list (34 provinces, 3,321 communes) both with GSO codes, and the official crosswalk from old
communes to new ones (a divided commune lists each new one, one marked default). From the day
of the reform the new communes stand directly under their province, the old districts and
communes end the day before, each old commune gets its successors, and each residential area
gets a placement under its commune's default successor. Nothing before the reform changes.
Running it again changes nothing.
"""
from __future__ import annotations

import datetime
import importlib.util
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Unit, UnitKind, UnitPlacement, UnitSuccession
from .placements import placements_move, placements_sync
from .services import gso_code, units_import_from_package
from .signals import units_changed


def _data_dir() -> Path:
    # Located without importing the package (its parsers pull in shapely and geopy).
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(_("Chưa cài gói vietnamadminunits (requirements.txt)."))
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@dataclass
class ReformData:
    """The package's lists, keyed as its crosswalk keys them."""

    provinces: dict[str, tuple[str, str]]  # new province key → (code, name)
    merged: dict[str, list[str]]  # new province key → old province keys
    old_province_codes: dict[str, str]  # old province key → code
    communes: dict[tuple[str, str], tuple[str, str, str]]  # (province key, ward key) → (code, name, type)
    old_communes: dict[str, str]  # "province_district_ward" key → old commune code
    successors: dict[str, list[tuple[str, str, bool]]]  # old key → [(new province key, new ward key, default)]


def reform_data() -> ReformData:
    directory = _data_dir()
    with sqlite3.connect(directory / "dataset.db") as db:
        new_rows = db.execute(
            "SELECT provinceKey, provinceCode, province, wardKey, wardCode, ward, wardType FROM admin_units"
        ).fetchall()
        old_rows = db.execute(
            "SELECT provinceKey, provinceCode, districtKey, wardKey, wardCode FROM admin_units_legacy WHERE wardCode IS NOT NULL"
        ).fetchall()
    crosswalk = json.loads((directory / "converter_2025.json").read_text(encoding="utf-8"))
    successors: dict[str, list] = {}
    for province, wards in crosswalk["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward, old_keys in wards.items():
            for old in old_keys:
                successors.setdefault(old, []).append((province, ward, True))
    for province, olds in crosswalk["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, news in olds.items():
            successors[old] = [(province, n["newWardKey"], bool(n["isDefaultNewWard"])) for n in news]
    return ReformData(
        provinces={r[0]: (gso_code(UnitKind.PROVINCE, r[1]), r[2]) for r in new_rows},
        merged=crosswalk["DICT_PROVINCE"],
        old_province_codes={r[0]: gso_code(UnitKind.PROVINCE, r[1]) for r in old_rows},
        communes={(r[0], r[3]): (gso_code(UnitKind.COMMUNE, r[4]), r[5], (r[6] or "").lower()) for r in new_rows},
        old_communes={f"{r[0]}_{r[2]}_{r[3]}": gso_code(UnitKind.COMMUNE, r[4]) for r in old_rows},
        successors=successors,
    )


@dataclass
class ReformCounts:
    provinces: int = 0
    communes: int = 0
    created: int = 0
    ended: int = 0
    successions: int = 0
    areas_moved: int = 0

    def __str__(self):
        return _(
            "Danh mục từ ngày %(day)s: %(p)d tỉnh, %(c)d xã (thêm mới %(new)d); kết thúc %(ended)d đơn vị cũ;"
            " ghi %(s)d quan hệ kế thừa; chuyển %(a)d khu dân cư."
        ) % {"day": self.day, "p": self.provinces, "c": self.communes, "new": self.created,
             "ended": self.ended, "s": self.successions, "a": self.areas_moved}


def _in_force_on(day: datetime.date) -> Q:
    return Q(valid_from__isnull=True) | Q(valid_from__lte=day)


def units_import_reform(*, as_of: datetime.date, province_code: str | int | None = None) -> ReformCounts:
    """Import the two-level list valid from ``as_of`` (all provinces, or the new province ``province_code``).

    The old list of the provinces concerned is imported first if missing (``units_import_from_package``).
    """
    data = reform_data()
    new_provinces = sorted(data.provinces)
    if province_code is not None:
        wanted = gso_code(UnitKind.PROVINCE, province_code)
        new_provinces = [key for key in new_provinces if data.provinces[key][0] == wanted]
        if not new_provinces:
            raise ValueError(_("Không có tỉnh, thành phố nào mã %(code)s trong danh mục từ năm 2025.") % {"code": province_code})
    old_keys = sorted({old for key in new_provinces for old in data.merged[key]})
    old_codes = [data.old_province_codes[key] for key in old_keys]
    day_before = as_of - datetime.timedelta(days=1)
    counts = ReformCounts()
    counts.day = as_of.strftime("%d/%m/%Y")
    with transaction.atomic():
        old_provinces = {u.code: u for u in Unit.objects.filter(kind=UnitKind.PROVINCE, code__in=old_codes, valid_from__isnull=True)}
        if len(old_provinces) < len(old_codes):
            for code in sorted(set(old_codes) - set(old_provinces)):
                units_import_from_package(province_code=code)
            old_provinces = {u.code: u for u in Unit.objects.filter(kind=UnitKind.PROVINCE, code__in=old_codes, valid_from__isnull=True)}
        # A province the reform left whole goes on; a merged one ends and its successor starts.
        province_of: dict[str, Unit] = {}
        for key in new_provinces:
            code, name = data.provinces[key]
            merged = [data.old_province_codes[k] for k in data.merged[key]]
            if merged == [code]:
                province_of[key] = old_provinces[code]
                continue
            new = Unit.objects.filter(kind=UnitKind.PROVINCE, code=code, valid_from=as_of).first()
            if new is None:
                _end(Unit.objects.filter(pk__in=[old_provinces[c].pk for c in merged]), day_before, counts)
                new = Unit.objects.create(code=code, name=name, kind=UnitKind.PROVINCE, division_type=_province_type(name), valid_from=as_of)
                counts.created += 1
            province_of[key] = new
            _succeed({old_provinces[c].pk: [(new.pk, True)] for c in merged}, as_of, counts)
        counts.provinces = len(province_of)
        old_scope = Q(province__in=list(old_provinces.values()), valid_from__isnull=True)
        _end(Unit.objects.filter(old_scope, kind__in=[UnitKind.DISTRICT, UnitKind.COMMUNE]), day_before, counts)
        # The new communes, directly under their province.
        wanted = {(p, w): row for (p, w), row in data.communes.items() if p in province_of}
        existing = {
            u.code: u for u in Unit.objects.filter(kind=UnitKind.COMMUNE, valid_from=as_of, province__in=list(province_of.values()))
        }
        new = [
            Unit(code=code, name=name, kind=UnitKind.COMMUNE, division_type=division_type,
                 parent=province_of[p], valid_from=as_of)
            for (p, _w), (code, name, division_type) in wanted.items() if code not in existing
        ]
        Unit.objects.bulk_create(new, batch_size=2000)
        counts.created += len(new)
        counts.communes = len(wanted)
        if new:
            Unit.refresh_ancestor_columns(Unit.objects.filter(kind=UnitKind.COMMUNE, valid_from=as_of, code__in=[u.code for u in new]))
        new_ids = dict(
            Unit.objects.filter(kind=UnitKind.COMMUNE, valid_from=as_of, province__in=list(province_of.values()))
            .values_list("code", "pk")
        )
        old_ids = dict(Unit.objects.filter(old_scope, kind=UnitKind.COMMUNE).values_list("code", "pk"))
        links: dict[int, list[tuple[int, bool]]] = {}
        for old_key, news in data.successors.items():
            old_code = data.old_communes.get(old_key)
            if old_code not in old_ids:
                continue
            links[old_ids[old_code]] = [(new_ids[data.communes[(p, w)][0]], default) for p, w, default in news if p in province_of]
        _succeed(links, as_of, counts)
        counts.areas_moved = _areas_follow(links, as_of)
        if new or counts.ended or counts.successions or counts.areas_moved:
            units_changed.send(sender=Unit)
    return counts


def _province_type(name: str) -> str:
    return "thành phố trung ương" if name.startswith("Thành phố ") else "tỉnh"


def _end(units, day: datetime.date, counts: ReformCounts) -> None:
    """End ``units`` on ``day`` (those not ended by then), set-based."""
    ending = units.filter(_in_force_on(day)).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
    ids = list(ending.values_list("pk", flat=True))
    if ids:
        Unit.objects.filter(pk__in=ids).update(valid_to=day)
        placements_sync(Unit.objects.filter(pk__in=ids))
    counts.ended += len(ids)


def _succeed(links: dict[int, list[tuple[int, bool]]], day: datetime.date, counts: ReformCounts) -> None:
    """Record each old unit's successors (``{old id: [(new id, default)]}``) not yet recorded;
    the default one also on ``Unit.successor``."""
    known = set(UnitSuccession.objects.filter(predecessor_id__in=list(links)).values_list("predecessor_id", "successor_id"))
    rows = [
        UnitSuccession(predecessor_id=old, successor_id=new, is_default=default, valid_from=day)
        for old, news in links.items() for new, default in news if (old, new) not in known
    ]
    UnitSuccession.objects.bulk_create(rows, batch_size=2000)
    counts.successions += len(rows)
    defaults = {old: new for old, news in links.items() for new, default in news if default}
    changed = [u for u in Unit.objects.filter(pk__in=list(defaults)).only("pk", "successor_id") if u.successor_id != defaults[u.pk]]
    for unit in changed:
        unit.successor_id = defaults[unit.pk]
    Unit.objects.bulk_update(changed, ["successor"], batch_size=2000)


def _areas_follow(links: dict[int, list[tuple[int, bool]]], day: datetime.date) -> int:
    """Place every residential area under its old commune on the eve of ``day`` under the
    commune's default successor from ``day``; returns how many moved (none on a second run)."""
    default = {old: new for old, news in links.items() for new, is_default in news if is_default}
    eve = day - datetime.timedelta(days=1)
    # In force on both days under an old commune: not moved yet (a moved one ends on the eve).
    staying = UnitPlacement.objects.on(eve).on(day).filter(kind=UnitKind.AREA, commune_id__in=list(default))
    moves = list(staying.values_list("unit_id", "commune_id"))
    moves = [(unit_id, default[commune_id]) for unit_id, commune_id in moves]
    if moves:
        units = Unit.objects.in_bulk([unit_id for unit_id, _ in moves])
        targets = Unit.objects.in_bulk({to for _, to in moves})
        placements_move(moves=[(units[unit_id], targets[to]) for unit_id, to in moves], on=day)
    return len(moves)
