"""The score sheet workflow: self-scoring, review, final decision, reopening, refusals, roles, evidence."""
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from emulation import recompute, services
from emulation.models import (
    Evidence,
    Score,
    ScoreSheet,
    SheetReopening,
    SheetStatus,
)
from mattran.models import UnitKind

from . import factories as f
from .sheet_world import YEAR, fill, score_of, snapshot

pytestmark = pytest.mark.django_db


def test_workflow_self_review_final_locks_and_shows_difference(world):
    """Self 30, reviewed 25 → difference 5; the final decision takes the reviewed points and locks the sheet."""
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    fill(sheet, world["d1_user"], A="30", B="20")
    services.sheet_submit(sheet=sheet, by=world["d1_user"])
    services.score_review(score=score_of(sheet, "A"), points="25", comment="Thiếu minh chứng", by=world["province_user"])
    assert score_of(sheet, "A").difference == D("5")
    services.sheet_finalize(sheet=sheet, by=world["province_user"])
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.FINAL
    assert (score_of(sheet, "A").final_points, score_of(sheet, "B").final_points) == (D("25"), D("20"))
    assert sheet.total == D("45")
    before = snapshot(sheet)
    with pytest.raises(ValidationError, match="quyết định chính thức"):
        services.score_review(score=score_of(sheet, "A"), points="40", by=world["province_user"])
    with pytest.raises(ValidationError, match="quyết định chính thức"):
        services.score_self(score=score_of(sheet, "B"), points="1", by=world["d1_user"])
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with pytest.raises(ValidationError, match="quyết định chính thức"):
        services.evidence_add(score=score_of(sheet, "A"), file=pdf, by=world["d1_user"])
    assert snapshot(sheet) == before


def test_final_sheets_keep_automatic_points_when_results_change(world):
    """A target result changed after the final decision does not move a final sheet's points."""
    f.result("ngay_hoi_kdc", world["d1"], YEAR, 20, 20)
    recompute.scores_recompute(year=YEAR)
    sheet = ScoreSheet.objects.get(guide=world["guide"], unit=world["d1"])
    fill(sheet, world["d1_user"], A="1", B="1")
    services.sheet_submit(sheet=sheet, by=world["d1_user"])
    services.sheet_finalize(sheet=sheet, by=world["province_user"])
    f.result("ngay_hoi_kdc", world["d1"], YEAR, 0, 20)
    recompute.scores_recompute(year=YEAR)
    assert score_of(sheet, "C").auto_points == D("30")


def test_reopening_is_recorded_and_unlocks_review(world):
    """Reopen needs a reason, records who, why and the previous total, and allows review again."""
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    fill(sheet, world["d1_user"], A="30", B="20")
    services.sheet_submit(sheet=sheet, by=world["d1_user"])
    services.sheet_finalize(sheet=sheet, by=world["province_user"])
    with pytest.raises(ValidationError, match="lý do"):
        services.sheet_reopen(sheet=sheet, by=world["province_user"], reason="  ")
    with pytest.raises(ValidationError, match="quyền"):
        services.sheet_reopen(sheet=sheet, by=world["d1_user"], reason="Tự mở")
    services.sheet_reopen(sheet=sheet, by=world["province_user"], reason="Khiếu nại của huyện")
    record = SheetReopening.objects.get(sheet=sheet)
    assert (record.reopened_by, record.reason, record.previous_total) == (
        world["province_user"], "Khiếu nại của huyện", D("50"),
    )
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.REVIEWED
    services.score_review(score=score_of(sheet, "A"), points="28", by=world["province_user"])
    assert score_of(sheet, "A").reviewed_points == D("28")


@pytest.mark.parametrize(
    ("code", "points", "message"),
    [
        ("A", "40.01", "vượt quá điểm tối đa 40"),
        ("A", "-1", "Điểm âm chỉ dùng cho dòng điểm trừ"),
        ("P", "1", "chỉ nhận số âm hoặc 0"),
        ("P", "-5.5", "vượt quá mức trừ tối đa"),
        ("T", "6", "vượt quá điểm tối đa 5"),
        ("A", "abc", "không phải là số"),
        ("A", "1.234", "hai chữ số thập phân"),
        ("C", "10", "tự động"),
    ],
)
def test_refused_points_change_nothing(world, code, points, message):
    """Out-of-range, wrongly signed or malformed points and hand scores of automatic lines are refused."""
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    before = snapshot(sheet)
    with pytest.raises(ValidationError, match=message):
        services.score_self(score=score_of(sheet, code), points=points, by=world["d1_user"])
    assert snapshot(sheet) == before


def test_database_refuses_points_outside_the_criterion_range(world):
    """The range check is also a constraint: a direct write above the maximum fails."""
    from django.db import IntegrityError, transaction

    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.filter(pk=score_of(sheet, "A").pk).update(self_points=D("41"))


def test_stale_version_is_refused(world):
    """A form opened at version 1 cannot save after someone else saved version 2."""
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    services.score_self(score=score_of(sheet, "A"), points="10", by=world["d1_user"], version=1)
    before = snapshot(sheet)
    with pytest.raises(ValidationError, match="người khác cập nhật"):
        services.score_self(score=score_of(sheet, "B"), points="10", by=world["d1_user"], version=1)
    assert snapshot(sheet) == before


def test_roles_self_score_and_review_only_what_they_may(world):
    """A district reviews its communes but not itself; a commune cannot review; another district cannot score."""
    commune = world["communes"][world["d1"].pk][0]
    commune_user = f.officer(commune)
    commune_guide = f.guide(YEAR, kind=UnitKind.COMMUNE)
    d_sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    c_sheet = services.sheet_get_or_create(guide=commune_guide, unit=commune)
    with pytest.raises(ValidationError, match="quyền tự chấm"):
        services.score_self(score=score_of(d_sheet, "A"), points="1", by=world["d2_user"])
    services.score_self(score=score_of(c_sheet, "A"), points="10", by=commune_user)
    services.score_self(score=score_of(c_sheet, "B"), points="10", by=world["d1_user"])  # on the commune's behalf
    services.sheet_submit(sheet=c_sheet, by=commune_user)
    with pytest.raises(ValidationError, match="quyền thẩm định"):
        services.score_review(score=score_of(c_sheet, "A"), points="5", by=commune_user)
    with pytest.raises(ValidationError, match="quyền thẩm định"):
        services.score_review(score=score_of(c_sheet, "A"), points="5", by=world["d2_user"])
    services.score_review(score=score_of(c_sheet, "A"), points="5", by=world["d1_user"])
    fill(d_sheet, world["d1_user"], A="1", B="1")
    services.sheet_submit(sheet=d_sheet, by=world["d1_user"])
    with pytest.raises(ValidationError, match="quyền thẩm định"):
        services.score_review(score=score_of(d_sheet, "A"), points="1", by=world["d1_user"])


def test_submit_needs_every_manual_criterion(world):
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    fill(sheet, world["d1_user"], A="1")
    with pytest.raises(ValidationError, match="Chưa tự chấm các tiêu chí: B"):
        services.sheet_submit(sheet=sheet, by=world["d1_user"])


def _docx_bytes():
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def test_evidence_of_the_allowed_types_is_stored(world):
    """A pdf and a real docx are accepted and attached to the score."""
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    files = [
        SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.7\n...", content_type="application/pdf"),
        SimpleUploadedFile("bao-cao.docx", _docx_bytes()),
    ]
    services.score_self(score=score_of(sheet, "A"), points="10", by=world["d1_user"], evidence=files)
    assert sorted(Evidence.objects.filter(score__sheet=sheet).values_list("file_type", flat=True)) == ["docx", "pdf"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("gia-mao.pdf", b"MZ\x90\x00 not a pdf", "không phải là tệp pdf"),
        ("anh.png", b"\xff\xd8\xff\xe0 jpeg bytes", "không phải là tệp png"),
        ("bang.xlsx", b"PK\x03\x04 broken zip", "không phải là tệp xlsx"),
        ("script.exe", b"%PDF-1.4", "không đúng loại"),
    ],
)
def test_evidence_of_a_wrong_type_is_refused_and_nothing_changes(world, name, content, message):
    """The type is judged by content: a renamed file is refused together with its points."""
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    before = snapshot(sheet)
    with pytest.raises(ValidationError, match=message):
        services.score_self(
            score=score_of(sheet, "A"), points="10", by=world["d1_user"],
            evidence=[SimpleUploadedFile(name, content)],
        )
    assert snapshot(sheet) == before


def test_evidence_over_ten_megabytes_is_refused(world):
    sheet = services.sheet_get_or_create(guide=world["guide"], unit=world["d1"])
    big = SimpleUploadedFile("lon.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024))
    before = snapshot(sheet)
    with pytest.raises(ValidationError, match="vượt quá giới hạn 10 MB"):
        services.evidence_add(score=score_of(sheet, "A"), file=big, by=world["d1_user"])
    assert snapshot(sheet) == before
