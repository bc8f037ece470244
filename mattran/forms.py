"""Forms of the unit pages shared by the admin and the district officers' page."""
from django import forms
from django.utils.translation import gettext_lazy as _

from . import area_uploads


class AreaFileForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh mục khu dân cư (.xlsx hoặc .csv)"),
        error_messages={"required": _("Chọn tệp để tải lên."), "empty": _("Tệp rỗng.")},
        help_text=_("Các cột ma_xa, ma_kdc, ten_kdc, loai và tùy chọn hieu_luc_tu, hieu_luc_den (dd/mm/yyyy). "
                    "Ghi ngày vào hieu_luc_den để kết thúc một khu dân cư."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > area_uploads.MAX_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn %(mb)d MB.") % {"mb": area_uploads.MAX_BYTES // (1024 * 1024)})
        return upload
