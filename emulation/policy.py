"""Who may do what on score sheets and nominations (reads only; views also scope by unit).

A unit self-scores its own sheet; a district officer may also enter its communes' self scores.
The level above reviews and decides: the district for its communes, the province for districts.
"""
from mattran.access import is_province_staff, officer_of
from mattran.models import OfficerRole, Unit, UnitKind


def _is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser and officer_of(user) is None)


def can_self_score(user, unit: Unit) -> bool:
    if _is_admin(user):
        return True
    officer = officer_of(user)
    if officer is None:
        return False
    if officer.unit_id == unit.pk and officer.role != OfficerRole.PROVINCE_STAFF:
        return True
    return (
        unit.kind == UnitKind.COMMUNE
        and officer.role == OfficerRole.DISTRICT_OFFICER
        and unit.district_id == officer.unit_id
    )


def can_review(user, unit: Unit) -> bool:
    """Review, finalize and reopen: the level above the scored unit (administrators too)."""
    if is_province_staff(user):
        return True
    officer = officer_of(user)
    return bool(
        officer is not None
        and unit.kind == UnitKind.COMMUNE
        and officer.role == OfficerRole.DISTRICT_OFFICER
        and unit.district_id == officer.unit_id
    )


def can_nominate(user) -> bool:
    """Districts propose honours; administrators too."""
    officer = officer_of(user)
    if officer is None:
        return _is_admin(user)
    return officer.role == OfficerRole.DISTRICT_OFFICER


def can_decide_nominations(user) -> bool:
    return is_province_staff(user)
