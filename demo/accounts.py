"""Demo accounts and residential areas for Lạng Sơn, upserted so a second run changes nothing."""
from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from mattran.models import Officer, OfficerRole, Unit, UnitKind

PROVINCE_CODE = "20"
DEMO_PASSWORD = "matran@2016"
EXAMPLE_COMMUNE = "05971"  # Phường Hoàng Văn Thụ, Thành phố Lạng Sơn

_FIRST = [
    "Nà", "Khuổi", "Pác", "Còn", "Phai", "Nặm", "Khau", "Pò", "Lũng", "Cốc", "Co", "Tà", "Kéo",
    "Hang", "Bó", "Khòn", "Keng", "Pắc", "Slằng", "Bình", "Đông", "Tân", "Quảng", "Hồng",
]
_SECOND = [
    "Pài", "Lặng", "Ngần", "Mò", "Cáy", "Hin", "Thàng", "Luông", "Mạ", "Sao", "Đon", "Piầng", "Tấu",
    "Khoang", "Phiêng", "Rằng", "Cháo", "Nghiều", "Chang", "Mạc", "Tiến", "Lập", "Phong", "Sơn", "Sla",
]

# --------------------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------------------


def demo_accounts_ensure(province: Unit) -> list[tuple[str, str, str]]:
    """admin (superuser), tinh, huyen.<code> for each district, xa.<code> for one commune."""
    User = get_user_model()
    districts = list(Unit.objects.filter(parent=province, kind=UnitKind.DISTRICT).order_by("code"))
    commune = Unit.objects.filter(code=EXAMPLE_COMMUNE).first() or (
        Unit.objects.within(province).filter(kind=UnitKind.COMMUNE).order_by("code").first()
    )
    wanted = [("admin", None, None, "Quản trị hệ thống")]
    wanted.append(("tinh", province, OfficerRole.PROVINCE_STAFF, f"Cán bộ {province.name}"))
    for d in districts:
        wanted.append((f"huyen.{d.code}", d, OfficerRole.DISTRICT_OFFICER, f"Cán bộ {d.name}"))
    if commune is not None:
        wanted.append((f"xa.{commune.code}", commune, OfficerRole.COMMUNE_OFFICER, f"Cán bộ {commune.name}"))

    password_hash = None
    accounts = []
    for username, unit, role, label in wanted:
        user = User.objects.filter(username=username).first()
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User(username=username, password=password_hash)
        is_admin = unit is None
        user.is_staff = is_admin
        user.is_superuser = is_admin
        user.is_active = True
        user.first_name = label[:150]
        user.save()
        if unit is not None:
            Officer.objects.update_or_create(user=user, defaults={"unit": unit, "role": role})
        accounts.append((username, label, unit.code if unit else ""))
    return accounts


# --------------------------------------------------------------------------------------
# Residential areas
# --------------------------------------------------------------------------------------


def _area_names(commune: Unit, rng: random.Random) -> list[tuple[str, str]]:
    count = rng.randint(6, 18)
    if commune.division_type in ("phường", "thị trấn"):
        division_type = rng.choice(["khối phố", "tổ dân phố"])
        word = "Khối" if division_type == "khối phố" else "Tổ dân phố"
        return [(f"{word} {n}", division_type) for n in range(1, count + 1)]
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(names) < count:
        base = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
        if base in seen:
            continue
        seen.add(base)
        division_type = "bản" if rng.random() < 0.3 else "thôn"
        names.append((f"{'Bản' if division_type == 'bản' else 'Thôn'} {base}", division_type))
    return names


def demo_areas_ensure(province: Unit) -> int:
    """About 2,300 areas (6–18 per commune), codes ``<commune code>-<nn>``, open-ended validity."""
    communes = list(Unit.objects.within(province).filter(kind=UnitKind.COMMUNE).order_by("code"))
    wanted = {}
    for commune in communes:
        rng = random.Random(f"areas-{commune.code}")
        for n, (name, division_type) in enumerate(_area_names(commune, rng), start=1):
            wanted[f"{commune.code}-{n:02d}"] = (name, division_type, commune.pk)
    existing = set(Unit.objects.filter(code__in=list(wanted)).values_list("code", flat=True))
    new = [
        Unit(code=code, name=name, kind=UnitKind.AREA, division_type=dt, parent_id=parent)
        for code, (name, dt, parent) in wanted.items()
        if code not in existing
    ]
    if new:
        Unit.objects.bulk_create(new, batch_size=2000)
        Unit.refresh_ancestor_columns(Unit.objects.filter(kind=UnitKind.AREA, province__isnull=True))
    return len(new)
