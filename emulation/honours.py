"""Honours: a district proposes a person for an honour; the province decides."""
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mattran.models import Unit, UnitKind

from . import policy
from .models import Nomination, NominationStatus


@transaction.atomic
def nomination_create(*, title: str, year: int, person_name: str, unit: Unit, reason: str, by) -> Nomination:
    """A district proposes a person of one of its units for an honour."""
    if not policy.can_nominate(by):
        raise ValidationError(_("Chỉ Ủy ban MTTQ cấp huyện được đề nghị danh hiệu."))
    person_name = (person_name or "").strip()
    reason = (reason or "").strip()
    if not person_name or not reason:
        raise ValidationError(_("Hãy ghi họ tên và thành tích, lý do đề nghị."))
    if unit.kind == UnitKind.PROVINCE or unit.district_id is None:
        raise ValidationError(_("Chọn đơn vị cấp huyện, xã hoặc khu dân cư của người được đề nghị."))
    officer = getattr(by, "officer", None)
    if officer is not None and not unit.is_within(officer.unit):
        raise ValidationError(_("Đơn vị %(unit)s không thuộc phạm vi của bạn.") % {"unit": unit})
    if Nomination.objects.filter(title=title, year=year, person_name__iexact=person_name, unit=unit).exists():
        raise ValidationError(_("%(name)s đã được đề nghị danh hiệu này trong năm %(year)s.") % {"name": person_name, "year": year})
    return Nomination.objects.create(
        title=title, year=year, person_name=person_name, unit=unit, nominated_by_id=unit.district_id,
        reason=reason, created_by=by,
    )


@transaction.atomic
def nomination_decide(
    *, nomination: Nomination, approve: bool, decided_on: datetime.date, note: str = "", by
) -> Nomination:
    """The province approves or declines a nomination, with the decision date."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not policy.can_decide_nominations(by):
        raise ValidationError(_("Chỉ Ban Thường trực Ủy ban MTTQ tỉnh quyết định danh hiệu."))
    if nomination.status != NominationStatus.PROPOSED:
        raise ValidationError(_("Đề nghị này đã có quyết định."))
    if decided_on is None:
        raise ValidationError(_("Hãy ghi ngày quyết định."))
    nomination.status = NominationStatus.APPROVED if approve else NominationStatus.DECLINED
    nomination.decided_on = decided_on
    nomination.decision_note = (note or "").strip()
    nomination.decided_by = by
    nomination.save()
    return nomination

