"""A tiny unit tree, officers and one valid row (and form data) per register, for the registers' tests."""
import datetime
from decimal import Decimal
from types import SimpleNamespace

from mattran.models import OfficerRole, Unit, UnitKind
from registers import models as m
from tests.factories import make_officer as base_officer
from tests.factories import make_tree as base_tree

PASSWORD = "so-theo-doi@2019"


def make_tree():
    """Province 20 with districts D1, D2; communes D1C1, D2C1; areas D1C1A1, D1C1A2, D2C1A1, D2C1A2."""
    province = base_tree(districts=2, communes=1, areas=2, names={
        UnitKind.COMMUNE: "Xã {d}", UnitKind.AREA: "Thôn {d}.{a}",
    })
    t = SimpleNamespace(province=province)
    for d in (1, 2):
        setattr(t, f"district{d}", Unit.objects.get(code=f"D{d}"))
        setattr(t, f"commune{d}", Unit.objects.get(code=f"D{d}C1"))
        setattr(t, f"area{d}", Unit.objects.get(code=f"D{d}C1A1"))
        setattr(t, f"area{d}b", Unit.objects.get(code=f"D{d}C1A2"))
    return t


def make_officer(username, unit, role=OfficerRole.DISTRICT_OFFICER):
    return base_officer(username, unit, role, password=PASSWORD)


def organisation(code="hoi_nong_dan"):
    return m.MemberOrganisation.objects.get(code=code)


def _date(year=2019, month=3, day=10):
    return datetime.date(year, month, day)


def household(unit, **kw):
    kw = {"head_name": "Hoàng Văn A", "organisation": organisation(), "year_adopted": 2019,
          "support_kind": m.SupportKind.CAPITAL, "support_value": Decimal("5.5"), **kw}
    return m.AdoptedHousehold.objects.create(unit=unit, **kw)


def petition(unit, **kw):
    kw = {"received_on": _date(), "source": m.PetitionSource.VOTER_CONTACT, "content": "Đề nghị sửa đường liên thôn",
          "forwarded_to": "UBND huyện", "due_on": _date(2019, 4, 10), **kw}
    return m.VoterPetition.objects.create(unit=unit, **kw)


def supervision(unit, **kw):
    kw = {"year": 2019, "topic": "Giám sát thực hiện chính sách hỗ trợ hộ nghèo",
          "kind": m.SupervisionKind.SUPERVISION, "planned_on": _date(), **kw}
    return m.SupervisionPlan.objects.create(unit=unit, **kw)


def self_management(unit, **kw):
    kw = {"name": "Tổ tự quản vệ sinh môi trường", "kind": m.SelfManagementKind.ENVIRONMENT, "year_started": 2019, **kw}
    return m.SelfManagementModel.objects.create(unit=unit, **kw)


def coordination(unit, **kw):
    kw = {"title": "Phối hợp tuyên truyền pháp luật", "partner": "Sở Tư pháp", "signed_on": _date(), **kw}
    return m.CoordinationProgramme.objects.create(unit=unit, **kw)


def inspection(unit, **kw):
    kw = {"year": 2019, "content": "Kiểm tra thực hiện Cuộc vận động", "planned_on": _date(), **kw}
    return m.Inspection.objects.create(unit=unit, **kw)


def training(unit, **kw):
    kw = {"topic": "Tập huấn nghiệp vụ công tác Mặt trận", "level": unit.kind, "start_on": _date(),
          "end_on": _date(2019, 3, 12), "trainees_commune": 40, "trainees_area": 60, **kw}
    return m.TrainingCourse.objects.create(unit=unit, **kw)


def diplomacy(unit, **kw):
    kw = {"kind": m.DiplomacyKind.EXCHANGE, "partner": "Thôn Ái Điểm, huyện Ninh Minh (Quảng Tây)",
          "held_on": _date(), "participants": 120, "content": "Giao lưu văn nghệ dịp Tết", **kw}
    return m.DiplomacyActivity.objects.create(unit=unit, **kw)


# slug: (row maker, which unit of district d the row belongs to, form data for a unit of district d)
REGISTER_CASES = {
    "ho-ngheo-nhan-do-dau": (
        household, "area",
        lambda unit: {"head_name": "Lý Thị B", "unit": unit.pk, "organisation": organisation().pk,
                      "year_adopted": 2019, "support_kind": "HOUSING", "support_value": "30",
                      "year_left_poverty": ""},
    ),
    "kien-nghi-cu-tri": (
        petition, "commune",
        lambda unit: {"unit": unit.pk, "received_on": "2019-05-02", "source": "DIRECT", "content": "Điện chập chờn",
                      "forwarded_to": "Điện lực huyện", "due_on": "2019-06-02", "status": "PENDING"},
    ),
    "giam-sat-phan-bien": (
        supervision, "commune",
        lambda unit: {"year": 2019, "topic": "Phản biện quy hoạch", "kind": "CRITICISM", "unit": unit.pk,
                      "planned_on": "2019-08-01"},
    ),
    "mo-hinh-tu-quan": (
        self_management, "area",
        lambda unit: {"name": "Tổ an ninh tự quản", "unit": unit.pk, "kind": "SECURITY", "year_started": 2019,
                      "status": "ACTIVE"},
    ),
    "chuong-trinh-phoi-hop": (
        coordination, "district",
        lambda unit: {"title": "Phối hợp xây dựng nông thôn mới", "unit": unit.pk, "partner": "Sở Nông nghiệp",
                      "signed_on": "2019-02-01"},
    ),
    "kiem-tra": (
        inspection, "district",
        lambda unit: {"year": 2019, "unit": unit.pk, "content": "Kiểm tra công tác tổ chức",
                      "planned_on": "2019-09-01"},
    ),
    "tap-huan": (
        training, "commune",
        lambda unit: {"topic": "Tập huấn giám sát", "unit": unit.pk, "level": "COMMUNE", "start_on": "2019-04-01",
                      "end_on": "2019-04-02", "trainees_province": 0, "trainees_district": 0,
                      "trainees_commune": 25, "trainees_area": 0},
    ),
    "doi-ngoai-nhan-dan": (
        diplomacy, "commune",
        lambda unit: {"kind": "TWINNING", "unit": unit.pk, "partner": "Thị trấn Long Châu", "held_on": "2019-10-01",
                      "participants": 50, "content": "Ký kết kết nghĩa"},
    ),
}


def unit_of(tree, where, district=1):
    return getattr(tree, f"{where}{district}")


def make_row(slug, tree, district=1, **kw):
    maker, where, _data = REGISTER_CASES[slug]
    return maker(unit_of(tree, where, district), **kw)


def form_data(slug, tree, district=1, **overrides):
    _maker, where, data = REGISTER_CASES[slug]
    return {**data(unit_of(tree, where, district)), **overrides}
