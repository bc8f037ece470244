"""Scoped access: every queryset that serves a request goes through these helpers.

An officer sees the subtree of their unit; an administrator with no Officer record sees
everything. Out-of-scope objects answer 404, never someone else's data.
"""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Officer, OfficerRole, Unit


def officer_of(user) -> Officer | None:
    if not user.is_authenticated:
        return None
    return getattr(user, "officer", None)


def scope_of(user) -> Unit | None:
    """The unit whose subtree ``user`` may see; None means the whole tree (administrators)."""
    officer = officer_of(user)
    if officer is not None:
        return officer.unit
    if user.is_authenticated and user.is_superuser:
        return None
    raise PermissionDenied


def visible_units(user):
    scope = scope_of(user)
    return Unit.objects.all() if scope is None else Unit.objects.within(scope)


def get_visible_unit_or_404(user, day=None, **lookup) -> Unit:
    """A unit within the user's scope, or 404. A ``code`` names the unit holding it on ``day``
    (default today): codes were reused by the 2025 reform."""
    code = lookup.pop("code", None)
    units = visible_units(user).filter(**lookup)
    if code is not None:
        unit = units.by_code(code, day)
        if unit is None:
            raise Http404
        return unit
    try:
        return units.get()
    except Unit.DoesNotExist:
        raise Http404 from None


def is_province_staff(user) -> bool:
    """Provincial staff and administrators: may return, approve, score and see the province."""
    officer = officer_of(user)
    if officer is not None:
        return officer.role == OfficerRole.PROVINCE_STAFF
    return bool(user.is_authenticated and user.is_superuser)


class ScopedViewMixin(LoginRequiredMixin):
    """Login required; the user must be an officer or an administrator."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            scope_of(request.user)  # raises PermissionDenied for accounts with no place
        return super().dispatch(request, *args, **kwargs)

    @property
    def scope(self) -> Unit | None:
        return scope_of(self.request.user)
