"""``period_label``: a period code as people read it ("2016-01" → "Tháng 1/2016")."""
from django import template

from reports.periods import Period

register = template.Library()


@register.filter
def period_label(code):
    try:
        return Period.parse(str(code)).label()
    except (TypeError, ValueError):
        return code
