"""Reports' part of copying an action plan: its forms, with their indicators, for the new term."""
from __future__ import annotations

from reports.models import FormIndicator, ReportForm


def forms_copy(sender, *, source, copy, suffix, **kwargs) -> None:
    """Copy ``source``'s forms into the plan ``copy`` (codes end with ``_<suffix>``, years the new term)."""
    links = list(FormIndicator.objects.filter(form__plan=source))
    copies = {}
    for form in ReportForm.objects.filter(plan=source):
        old = form.pk
        form.pk = None
        form.code = f"{form.code[:60 - len(suffix) - 1]}_{suffix}"
        form.plan, form.first_year, form.last_year = copy, copy.term_start, copy.term_end
        form.save()
        copies[old] = form
    FormIndicator.objects.bulk_create([
        FormIndicator(form=copies[link.form_id], indicator_id=link.indicator_id, order=link.order, required=link.required)
        for link in links
    ])


def connect_signals() -> None:
    from programs.services import plan_copied

    plan_copied.connect(forms_copy, dispatch_uid="reports.forms_copy")
