"""The export form: which period and which format."""
from django import forms
from django.utils.translation import gettext_lazy as _

from reports.constants import TREND_YEARS
from reports.exports.data import parse_report_period
from reports.exports.generator import FORMATTERS
from reports.periods import Period


def period_choices():
    choices = []
    for year in reversed(TREND_YEARS):
        for text in (f"{year}", f"{year}-9M", f"{year}-H1"):
            choices.append((text, Period.parse(text).label()))
    return choices


class ExportForm(forms.Form):
    unit = forms.CharField(widget=forms.HiddenInput, required=False)
    period = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=period_choices)
    format = forms.ChoiceField(
        label=_("Định dạng"), choices=[(key, f.extension.upper()) for key, f in FORMATTERS.items()], initial="docx",
    )

    def clean_period(self):
        try:
            parse_report_period(self.cleaned_data["period"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return self.cleaned_data["period"]
