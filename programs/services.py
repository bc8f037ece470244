"""Starting a new action plan by copying the previous one; the apps above copy what they hold."""
from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from .models import ActionPlan, Target, Task, WorkProgram

# Sent inside the copy's transaction with ``source`` and ``copy`` (ActionPlan) and ``suffix``:
# reports copies the plan's forms (``reports.receivers``).
plan_copied = Signal()


def plan_copy(*, source: ActionPlan, code: str, title: str, term_start: int, term_end: int) -> ActionPlan:
    """A new plan for ``term_start``–``term_end``: a copy of ``source``'s text, programs, tasks and
    targets (their years moved to the new term), and of what the apps above hold (forms), to be
    edited afterwards. Indicators are shared, not copied: a measure keeps its history across
    terms, and the trend charts follow it. Emulation guides are per year and copied year by year.
    """
    suffix = str(term_start)
    with transaction.atomic():
        copy = ActionPlan.objects.create(
            code=code, title=title, issuer=source.issuer, term_start=term_start, term_end=term_end,
            summary=source.summary, preamble=source.preamble, purpose=source.purpose,
            requirements=source.requirements, implementation=source.implementation,
        )
        programs = {}
        for program in source.programs.all():
            programs[program.pk] = WorkProgram.objects.create(
                plan=copy, number=program.number, title=program.title, short_title=program.short_title,
            )
        Task.objects.bulk_create([
            Task(program=programs[task.program_id], order=task.order, text=task.text)
            for task in Task.objects.filter(program__plan=source)
        ])
        targets = []
        for target in Target.objects.filter(program__plan=source):
            target.pk = None
            target.code = f"{target.code[:60 - len(suffix) - 1]}_{suffix}"
            target.program = programs[target.program_id]
            if target.due_year:
                target.due_year = min(term_end, term_start + (target.due_year - target.first_year))
            target.first_year, target.last_year = term_start, term_end
            targets.append(target)
        Target.objects.bulk_create(targets)
        plan_copied.send(sender=ActionPlan, source=source, copy=copy, suffix=suffix)
    return copy
