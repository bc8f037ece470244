"""seed_demo: deterministic demo accounts, residential areas and values for Lạng Sơn."""
import datetime
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from demo.data import parse_years
from mattran.models import OfficerRole, Unit, UnitKind, UnitPlacement
from reports.models import DataValue, PlanValue, Submission, SubmissionStatus
from reports.targets import runs

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Unit.objects.order_by("code").values_list("code", "name", "parent_id")),
        list(Submission.objects.order_by("id").values_list("form__code", "unit__code", "period", "status")),
        DataValue.objects.count(),
        sorted(DataValue.objects.values_list("indicator__code", "unit__code", "period", "value_number", "value_bool",
                                             "value_date", "rating_level__code")),
        PlanValue.objects.count(),
        list(get_user_model().objects.order_by("username").values_list("username", "is_staff", "is_superuser")),
    )


@pytest.fixture
def recompute_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(runs, "years_recompute_inline", lambda years: calls.append(list(years)))
    return calls


def test_seed_demo_twice_leaves_the_same_data_and_asks_for_a_recompute(recompute_calls):
    """Given an empty database, when seed_demo --years 2019 runs twice, then the second run adds nothing."""
    out = StringIO()
    call_command("seed_demo", "--years", "2019", stdout=out)
    first = snapshot()
    call_command("seed_demo", "--years", "2019", stdout=StringIO())

    assert snapshot() == first
    # Each run recomputes 2019 before the reform import and again after it (the history check).
    assert recompute_calls == [[2019], [2019], [2019], [2019]]
    assert "huyen.178" in out.getvalue() and "matran@2016" in out.getvalue()


def test_seed_demo_creates_accounts_areas_and_a_year_of_submissions(recompute_calls):
    """One run (kept to one for speed) gives the accounts, the areas and submissions in every state."""
    call_command("seed_demo", "--years", "2019", stdout=StringIO())
    check_accounts_have_their_roles_and_scopes()
    check_every_commune_has_6_to_18_areas_about_2300_in_all()
    check_the_year_has_submissions_in_every_state()


def check_accounts_have_their_roles_and_scopes():
    """admin is the only staff account; tinh sees the province; huyen.<code> their district; xa.<code> a commune."""
    User = get_user_model()

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("matran@2016")
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["admin"]
    tinh = User.objects.get(username="tinh")
    assert (tinh.officer.role, tinh.officer.unit.code) == (OfficerRole.PROVINCE_STAFF, "20")
    districts = Unit.objects.filter(kind=UnitKind.DISTRICT, province__code="20")
    assert districts.count() == 11
    for district in districts:
        user = User.objects.get(username=f"huyen.{district.code}")
        assert (user.officer.role, user.officer.unit) == (OfficerRole.DISTRICT_OFFICER, district)
        assert user.check_password("matran@2016")
    # One officer of an old commune (xa.05971), and one for each of the 65 communes of 1/7/2025.
    commune_officers = User.objects.filter(username__startswith="xa.").select_related("officer__unit")
    assert commune_officers.count() == 1 + 65
    for user in commune_officers:
        officer = user.officer
        assert officer.role == OfficerRole.COMMUNE_OFFICER and officer.unit.kind == UnitKind.COMMUNE
        assert user.username == f"xa.{officer.unit.code}" and user.check_password("matran@2016")
    new = commune_officers.exclude(username="xa.05971")
    assert {u.officer.unit.valid_from for u in new} == {datetime.date(2025, 7, 1)}
    assert {u.officer.unit.parent.code for u in new} == {"20"}


def check_every_commune_has_6_to_18_areas_about_2300_in_all():
    areas = Unit.objects.filter(kind=UnitKind.AREA)
    # On the tree of 2020 (since 1/7/2025 they stand under the 65 new communes).
    placed = UnitPlacement.objects.on(datetime.date(2020, 12, 31)).filter(kind=UnitKind.AREA)
    per_commune = Counter(placed.values_list("parent__code", flat=True))

    assert 2100 <= areas.count() <= 2500 and placed.count() == areas.count()
    assert len(per_commune) == 194 and min(per_commune.values()) >= 6 and max(per_commune.values()) <= 18
    assert not areas.filter(valid_from__isnull=False).exists() and not areas.filter(valid_to__isnull=False).exists()
    assert areas.filter(commune__isnull=True).count() == 0
    assert set(UnitPlacement.objects.on(datetime.date(2025, 12, 31)).filter(kind=UnitKind.AREA).values_list("commune__valid_from", flat=True)) == {datetime.date(2025, 7, 1)}
    ward_areas = placed.filter(parent__division_type="phường")
    assert all(name.startswith(("Khối", "Tổ dân phố")) for name in ward_areas.values_list("unit__name", flat=True))
    village = placed.filter(parent__division_type="xã").select_related("unit", "parent").first()
    assert village.unit.name.startswith(("Thôn ", "Bản ")) and village.unit.code.startswith(village.parent.code + "-")


def check_the_year_has_submissions_in_every_state():
    """Every form has values; states include approved, submitted, returned with a reason, draft; some are missing."""
    subs = Submission.objects.filter(year=2019)
    states = set(subs.values_list("status", flat=True))

    assert states == {SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED, SubmissionStatus.DRAFT}
    assert not subs.filter(status=SubmissionStatus.RETURNED, return_reason="").exists()
    assert set(subs.values_list("form__code", flat=True)) == {
        "ngay_hoi", "xep_loai_bctmt", "xep_loai_mttq_xa", "xep_loai_mttq_huyen", "bao_cao_thang", "ke_hoach",
    }
    assert subs.count() < 11 * (4 + 12) + 2  # some are missing
    dates = DataValue.objects.filter(indicator__code="ngay_hoi_ngay").values_list("value_date", flat=True)
    assert dates and all(d.year == 2019 and d.month == 11 and 1 <= d.day <= 18 for d in dates)
    def by_cell(code):
        rows = DataValue.objects.filter(indicator__code=code).values_list("unit_id", "period", "value_number")
        return {(u, p): v for u, p, v in rows}

    cases, solved = by_cell("hoa_giai_vu"), by_cell("hoa_giai_thanh")
    assert cases and all(solved[key] <= cases[key] for key in cases)
    raised, spent = by_cell("quy_vnn_thu"), by_cell("quy_vnn_chi")
    assert all(spent[key] <= raised[key] for key in raised)
    assert not DataValue.objects.filter(value_number__lt=0).exists()
    assert PlanValue.objects.filter(year=2019, unit__kind=UnitKind.DISTRICT).count() == 11 * 4


def test_parse_years_reads_ranges_lists_and_single_years():
    assert parse_years("2016-2018") == [2016, 2017, 2018]
    assert parse_years("2019") == [2019]
    assert parse_years("2016,2019") == [2016, 2019]
    assert parse_years(None) == [2016, 2017, 2018, 2019, 2020, 2025, 2026]
    with pytest.raises(ValueError):
        parse_years("2018-2016")


def test_seed_demo_refuses_a_bad_year_range_and_creates_nothing():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Năm không hợp lệ"):
        call_command("seed_demo", "--years", "2020-2016", stdout=StringIO())
    assert not get_user_model().objects.filter(username="admin").exists()
