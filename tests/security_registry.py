"""Every named URL of the project and how the security suite reaches it.

tests/test_security.py walks the URL configuration; a named URL that is neither in REGISTRY nor
in SKIPPED_NAMES / SKIPPED_NAMESPACES fails the suite. When you add a view, add an entry here:

    REGISTRY["reports:submission_detail"] = Entry(
        kwargs=lambda w: {"pk": make_submission(unit=w.area_a).pk},   # an object of district A
        methods=("GET", "POST"),
        post_data=lambda w: {"status": "APPROVED"},
    )

``World`` (below) holds a tiny tree: province "20", districts "A" and "B" each with commune
"AC1"/"BC1" and residential area "AC1K1"/"BC1K1"; ``officer_a`` is district A's officer (a User),
``officer_b`` district B's, ``staff`` provincial staff. ``kwargs`` builds the URL kwargs from it
(create the objects your view needs inside it, always in district A). A scoped page worth visiting
with more than one object (a commune's, an area's) lists extra kwargs in EXTRA_SCOPED_VISITS.
Static files are served by WhiteNoise (no URL pattern); admin and i18n are skipped below.

Access levels:
- SCOPED: the object belongs to district A. Anonymous → login (API: 401/403); district B's
  officer → 404 on GET and POST, and nothing in the database changes.
- SIGNED_IN: shared pages every officer may see (the action plan, campaigns). Anonymous → login.
- PUBLIC: answers anonymous visitors (health checks, the login page).
"""
from collections.abc import Callable
from dataclasses import dataclass, field

SCOPED = "scoped"
SIGNED_IN = "signed_in"
PUBLIC = "public"

# Named URLs the suite does not visit, with the reason.
SKIPPED_NAMESPACES = {
    "admin": "Django admin: only is_staff administrators, guarded by admin's own login; not an officer page.",
}
SKIPPED_NAMES = {
    "set_language": "i18n: Django's language switch, public by design; CSRF checked in test_csrf_is_enforced_on_the_language_switch.",
}


@dataclass(frozen=True)
class Entry:
    """How to reach one named URL and what it must refuse."""

    access: str = SCOPED
    kwargs: Callable | None = None  # World -> dict of URL kwargs
    methods: tuple = ("GET",)
    post_data: Callable | None = None  # World -> dict posted by the intruder and in the CSRF check
    query: Callable | None = None  # World -> dict of GET parameters (e.g. {"unit": ..., "year": 2019})
    html: bool = True  # rendered as provincial staff and checked for inline scripts and styles
    anonymous_status: int | None = None  # PUBLIC only: the expected status for an anonymous GET
    api: bool = False  # anonymous gets 401/403 instead of a redirect to login
    # False when the page needs state the suite cannot stage (an upload token in the owner's session):
    # the owner's 200 is then not checked, the anonymous and intruder checks still are.
    reachable: bool = True

    def url_kwargs(self, world) -> dict:
        return self.kwargs(world) if self.kwargs else {}

    def query_params(self, world) -> dict:
        return self.query(world) if self.query else {}


def _submission_of_a(world) -> dict:
    """District A's draft of the 2019 festival report; the URL kwargs of its pages."""
    from reports.models import ReportForm
    from reports.submissions.services import submission_get_or_create

    form = ReportForm.objects.get(code="ngay_hoi")
    submission_get_or_create(form=form, unit=world.district_a, period="2019", by=world.officer_a)
    return {"form": form.code, "unit": world.district_a.code, "period": "2019"}


def _export_job_of_a(world, done=False):
    """A report export of district A asked for by provincial staff (only the asker may follow it)."""
    from django.core.files.base import ContentFile

    from reports.exports.models import ExportJob, ExportStatus

    job = ExportJob.objects.create(created_by=world.staff, unit=world.district_a, period="2019", format="xlsx")
    if done:
        job.file.save("bao-cao-A-2019.xlsx", ContentFile(b"PK"), save=False)
        job.status, job.progress = ExportStatus.DONE, 100
        job.save()
    return job


def _household_of_a(world) -> int:
    """A sponsored poor household in district A's residential area; its pk."""
    from registers.tests.factories import household

    return household(world.area_a).pk


def _coordination_of_a(world) -> int:
    """A cooperation programme signed by district A; its pk."""
    from registers.tests.factories import coordination

    return coordination(world.district_a).pk


def _score_of_a(world) -> int:
    """A hand-scored criterion on district A's 2019 emulation sheet; its pk."""
    from emulation.selectors import guide_for
    from emulation.services import sheet_get_or_create
    from mattran.models import UnitKind

    sheet = sheet_get_or_create(guide=guide_for(year=2019, kind=UnitKind.DISTRICT), unit=world.district_a)
    return sheet.scores.filter(criterion__mode="MANUAL").order_by("pk").first().pk


def _sheet_score_of_a(world) -> dict:
    return {"year": 2019, "unit_id": world.district_a.pk, "score_id": _score_of_a(world)}


def _evidence_of_a(world) -> int:
    """An evidence file on district A's sheet; its pk."""
    from django.core.files.base import ContentFile

    from emulation.models import Evidence

    evidence = Evidence(score_id=_score_of_a(world), original_name="bien-ban.pdf", file_type="pdf", size=8)
    evidence.file.save("bien-ban.pdf", ContentFile(b"%PDF-1.4"), save=False)
    evidence.save()
    return evidence.pk


def _nomination_of_a(world) -> int:
    """District A's nomination of a person of its residential area; its pk."""
    from emulation.honours import nomination_create
    from emulation.models import HonourTitle

    return nomination_create(
        title=HonourTitle.values[0], year=2019, person_name="Nguyễn Văn A", unit=world.area_a,
        reason="Tiêu biểu", by=world.officer_a,
    ).pk


REGISTRY: dict[str, Entry] = {
    # mattran
    "home": Entry(access=SIGNED_IN),
    "healthz": Entry(access=PUBLIC, html=False, anonymous_status=200),
    "login": Entry(access=PUBLIC, anonymous_status=200, methods=("GET", "POST"),
                   post_data=lambda w: {"username": "tinh", "password": "sai"}),
    "logout": Entry(access=PUBLIC, html=False, anonymous_status=302, methods=("POST",)),
    "units:browser": Entry(access=SIGNED_IN),
    "units:detail": Entry(kwargs=lambda w: {"code": w.district_a.code}),
    # a district officer's own district only (no object in the URL); off unless AREAS_UPLOAD_BY_DISTRICTS,
    # so everyone but such an officer gets 403 (tested in mattran/tests/test_area_upload_by_district.py)
    "units:upload_areas": Entry(access=SIGNED_IN, methods=("GET", "POST"), html=False),
    # programs, campaigns: the action plan is shared by every officer
    "programs:index": Entry(access=SIGNED_IN),
    "programs:detail": Entry(access=SIGNED_IN, kwargs=lambda w: {"number": 1}),
    "campaigns:list": Entry(access=SIGNED_IN),
    "campaigns:detail": Entry(access=SIGNED_IN, kwargs=lambda w: {"code": "ngay_vi_nguoi_ngheo"}),
    # dashboard: figures about the unit in ?unit= (district A's here)
    "dashboard:index": Entry(query=lambda w: {"unit": w.district_a.code, "year": 2019}),
    "dashboard:program": Entry(kwargs=lambda w: {"number": 1}, query=lambda w: {"unit": w.district_a.code, "year": 2019}),
    "dashboard:campaign": Entry(
        kwargs=lambda w: {"code": "ngay_vi_nguoi_ngheo"}, query=lambda w: {"unit": w.district_a.code, "year": 2019}
    ),
    # Views of other helpers seeded by `ui` from their URL patterns: owners, please check and extend
    # (object pages such as a submission, an export job or an evidence file need an object of district A).
    "reports:inbox": Entry(access=SIGNED_IN),
    "reports:completeness": Entry(access=SIGNED_IN),
    "reports:grid": Entry(
        kwargs=lambda w: {"form": "ngay_hoi", "unit": w.district_a.code, "period": "2019"},
        methods=("GET", "POST"),
        post_data=lambda w: {"version": "0"},
    ),
    "reports:history": Entry(kwargs=lambda w: _submission_of_a(w)),
    "reports:cell_history": Entry(
        kwargs=lambda w: {**_submission_of_a(w), "indicator": "ngay_hoi_to_chuc", "row": w.area_a.code}
    ),
    "reports:template_download": Entry(
        html=False, kwargs=lambda w: {"form": "ngay_hoi", "unit": w.district_a.code, "period": "2019"}
    ),
    "reports:upload": Entry(
        kwargs=lambda w: {"form": "ngay_hoi", "unit": w.district_a.code, "period": "2019"}, methods=("GET", "POST")
    ),
    "reports:upload_confirm": Entry(
        kwargs=lambda w: {"form": "ngay_hoi", "unit": w.district_a.code, "period": "2019", "token": "khong-co"},
        methods=("GET", "POST"), html=False, reachable=False,
    ),
    "reports:submit": Entry(
        kwargs=lambda w: {"form": "ngay_hoi", "unit": w.district_a.code, "period": "2019"}, methods=("POST",)
    ),
    "reports:return": Entry(
        kwargs=lambda w: {"form": "ngay_hoi", "unit": w.district_a.code, "period": "2019"}, methods=("POST",),
        post_data=lambda w: {"reason": "thiếu số liệu"},
    ),
    "reports:approve": Entry(
        kwargs=lambda w: {"form": "ngay_hoi", "unit": w.district_a.code, "period": "2019"}, methods=("POST",)
    ),
    "reports:reopen": Entry(
        kwargs=lambda w: {"form": "ngay_hoi", "unit": w.district_a.code, "period": "2019"}, methods=("POST",),
        post_data=lambda w: {"reason": "sửa số liệu"},
    ),
    "targets:index": Entry(access=SIGNED_IN, html=False),  # redirects to the default year
    "targets:year": Entry(access=SIGNED_IN, kwargs=lambda w: {"year": 2019}),
    "targets:recompute": Entry(access=SIGNED_IN, html=False, methods=("POST",), kwargs=lambda w: {"year": 2019}),
    "targets:status": Entry(access=SIGNED_IN, html=False, kwargs=lambda w: {"year": 2019}),
    "targets:units": Entry(kwargs=lambda w: {"year": 2019, "target": "ngay_hoi_kdc", "unit": w.district_a.code}),
    "dashboard:export": Entry(
        query=lambda w: {"unit": w.district_a.code}, methods=("GET", "POST"),
        post_data=lambda w: {"period": "2019-H1", "format": "xlsx", "unit": w.district_a.code},
    ),
    "dashboard:export_job": Entry(kwargs=lambda w: {"pk": _export_job_of_a(w).pk}),
    "dashboard:export_file": Entry(html=False, kwargs=lambda w: {"pk": _export_job_of_a(w, done=True).pk}),
    "emulation:index": Entry(access=SIGNED_IN),
    "emulation:unit_history": Entry(kwargs=lambda w: {"unit_id": w.district_a.pk}),
    "emulation:honours": Entry(access=SIGNED_IN, kwargs=lambda w: {"year": 2019}),
    "emulation:ranking": Entry(access=SIGNED_IN, kwargs=lambda w: {"year": 2019}),
    "emulation:ranking_export": Entry(access=SIGNED_IN, html=False, kwargs=lambda w: {"year": 2019, "fmt": "xlsx"}),
    "emulation:sheet": Entry(kwargs=lambda w: {"year": 2019, "unit_id": w.district_a.pk}),
    "emulation:sheet_export": Entry(html=False, kwargs=lambda w: {"year": 2019, "unit_id": w.district_a.pk, "fmt": "xlsx"}),
    "emulation:score_self": Entry(methods=("POST",), kwargs=_sheet_score_of_a, post_data=lambda w: {"points": "10"}),
    "emulation:score_review": Entry(methods=("POST",), kwargs=_sheet_score_of_a, post_data=lambda w: {"points": "10"}),
    "emulation:evidence_add": Entry(methods=("POST",), kwargs=_sheet_score_of_a),
    "emulation:evidence": Entry(html=False, kwargs=lambda w: {"pk": _evidence_of_a(w)}),
    "emulation:nomination_decide": Entry(
        methods=("POST",), kwargs=lambda w: {"pk": _nomination_of_a(w)},
        post_data=lambda w: {"decision": "APPROVED", "decided_on": "20/11/2019"},
    ),
    "emulation:sheet_submit": Entry(methods=("POST",), kwargs=lambda w: {"year": 2019, "unit_id": w.district_a.pk}),
    "emulation:sheet_finalize": Entry(methods=("POST",), kwargs=lambda w: {"year": 2019, "unit_id": w.district_a.pk}),
    "emulation:sheet_reopen": Entry(
        methods=("POST",), kwargs=lambda w: {"year": 2019, "unit_id": w.district_a.pk},
        post_data=lambda w: {"reason": "chấm lại"},
    ),
    "registers:index": Entry(access=SIGNED_IN),
    "registers:household-summary": Entry(access=SIGNED_IN),
    "registers:list": Entry(access=SIGNED_IN, kwargs=lambda w: {"register": "ho-ngheo-nhan-do-dau"}),
    "registers:create": Entry(access=SIGNED_IN, kwargs=lambda w: {"register": "ho-ngheo-nhan-do-dau"}),
    "registers:detail": Entry(kwargs=lambda w: {"register": "ho-ngheo-nhan-do-dau", "pk": _household_of_a(w)}),
    "registers:edit": Entry(
        kwargs=lambda w: {"register": "ho-ngheo-nhan-do-dau", "pk": _household_of_a(w)}, methods=("GET", "POST"),
        post_data=lambda w: {"head_name": "Kẻ xâm nhập", "year_adopted": "2019"},
    ),
    "registers:review-add": Entry(
        methods=("POST",), kwargs=lambda w: {"pk": _coordination_of_a(w)},
        post_data=lambda w: {"held_on": "10/06/2019", "content": "Sơ kết"},
    ),
    "registers:export": Entry(access=SIGNED_IN, html=False, kwargs=lambda w: {"register": "ho-ngheo-nhan-do-dau"}),
    "api-schema": Entry(access=SIGNED_IN, html=False, api=True),
    "api:target-results": Entry(access=SIGNED_IN, html=False, api=True, query=lambda w: {"year": 2019, "unit": w.district_a.code}),
}

# Scoped pages that also take a unit: each is visited once more with district A's commune and area.
EXTRA_SCOPED_VISITS: dict[str, list[Callable]] = {
    "units:detail": [lambda w: {"code": w.commune_a.code}, lambda w: {"code": w.area_a.code}],
}


@dataclass
class World:
    province: object
    district_a: object
    commune_a: object
    area_a: object
    district_b: object
    commune_b: object
    area_b: object
    staff: object
    officer_a: object
    officer_b: object
    extra: dict = field(default_factory=dict)  # free room for entries that share objects


def build_world() -> World:
    """The tiny tree every registry entry is visited in (see the module docstring)."""
    from mattran.models import OfficerRole, UnitKind
    from tests.factories import make_officer, make_unit

    province = make_unit("20", "Tỉnh Lạng Sơn", UnitKind.PROVINCE)
    units = {}
    for letter in "AB":
        district = make_unit(letter, f"Huyện {letter}", UnitKind.DISTRICT, province)
        commune = make_unit(f"{letter}C1", f"Xã {letter}1", UnitKind.COMMUNE, district)
        area = make_unit(f"{letter}C1K1", f"Thôn {letter}1", UnitKind.AREA, commune, division_type="thôn")
        units[letter] = (district, commune, area)
    return World(
        province=province,
        district_a=units["A"][0], commune_a=units["A"][1], area_a=units["A"][2],
        district_b=units["B"][0], commune_b=units["B"][1], area_b=units["B"][2],
        staff=make_officer("tinh", province, OfficerRole.PROVINCE_STAFF),
        officer_a=make_officer("huyen.a", units["A"][0]),
        officer_b=make_officer("huyen.b", units["B"][0]),
    )
