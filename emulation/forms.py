"""Forms of the scoring pages; points are validated again by the services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import HonourTitle


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control form-control-sm"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SelfScoreForm(VersionForm):
    points = forms.CharField(label=_("Điểm tự chấm"), max_length=12)
    evidence = MultipleFileField(label=_("Minh chứng (pdf, jpg, png, docx, xlsx; tối đa 10 MB)"), required=False)


class ReviewForm(VersionForm):
    points = forms.CharField(label=_("Điểm thẩm định"), max_length=12)
    comment = forms.CharField(label=_("Nhận xét"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(VersionForm):
    file = forms.FileField(label=_("Minh chứng"))


class ReopenForm(VersionForm):
    reason = forms.CharField(label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}))


class NominationForm(forms.Form):
    title = forms.ChoiceField(label=_("Danh hiệu"), choices=HonourTitle.choices)
    person_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None)
    reason = forms.CharField(label=_("Thành tích, lý do đề nghị"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Quyết định"), choices=[("approve", _("Công nhận")), ("decline", _("Không công nhận"))]
    )
    decided_on = forms.DateField(label=_("Ngày quyết định"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Ghi chú"), required=False)
