"""What makes computed years dirty: edits of the unit tree or of what is computed (connected in apps.ready)."""
from mattran.models import Unit
from programs.models import Indicator, Target
from reports.models import FormIndicator
from reports.targets.runs import years_mark_dirty

# Unit fields a target or a roll-up depends on; a change to its name, say, recomputes nothing.
UNIT_STRUCTURE_FIELDS = ("kind", "parent_id", "valid_from", "valid_to")


def _unit_before_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = Unit.objects.filter(pk=instance.pk).values_list(*UNIT_STRUCTURE_FIELDS).first() if instance.pk else None
    instance._structure_changed = before != tuple(getattr(instance, field) for field in UNIT_STRUCTURE_FIELDS)


def _unit_saved(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "_structure_changed", True):
        years_mark_dirty()


def _configuration_changed(sender, raw=False, **kwargs):
    if not raw:
        years_mark_dirty()


def connect_signals() -> None:
    """Edits of the tree (admin saves, bulk imports) or of what is computed make the computed years dirty."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from mattran.signals import units_changed

    pre_save.connect(_unit_before_save, sender=Unit, dispatch_uid="reports.targets.unit.pre")
    post_save.connect(_unit_saved, sender=Unit, dispatch_uid="reports.targets.unit.save")
    post_delete.connect(_configuration_changed, sender=Unit, dispatch_uid="reports.targets.unit.delete")
    units_changed.connect(_configuration_changed, sender=Unit, dispatch_uid="reports.targets.units.imported")
    for model in (Target, Indicator, FormIndicator):
        post_save.connect(_configuration_changed, sender=model, dispatch_uid=f"reports.targets.{model.__name__}.save")
        post_delete.connect(_configuration_changed, sender=model, dispatch_uid=f"reports.targets.{model.__name__}.delete")
