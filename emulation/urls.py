"""URLs of emulation scoring, mounted at /thi-dua/."""
from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "xlsx|docx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "emu_fmt")

app_name = "emulation"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("<int:year>/don-vi/<int:unit_id>/", views.SheetView.as_view(), name="sheet"),
    path("<int:year>/don-vi/<int:unit_id>/tu-cham/<int:score_id>/", views.SelfScoreView.as_view(), name="score_self"),
    path("<int:year>/don-vi/<int:unit_id>/tham-dinh/<int:score_id>/", views.ReviewView.as_view(), name="score_review"),
    path(
        "<int:year>/don-vi/<int:unit_id>/minh-chung/<int:score_id>/", views.EvidenceAddView.as_view(),
        name="evidence_add",
    ),
    path("<int:year>/don-vi/<int:unit_id>/gui/", views.SubmitView.as_view(), name="sheet_submit"),
    path("<int:year>/don-vi/<int:unit_id>/quyet-dinh/", views.FinalizeView.as_view(), name="sheet_finalize"),
    path("<int:year>/don-vi/<int:unit_id>/mo-lai/", views.ReopenView.as_view(), name="sheet_reopen"),
    path(
        "<int:year>/don-vi/<int:unit_id>/xuat.<emu_fmt:fmt>", views.SheetExportView.as_view(), name="sheet_export",
    ),
    path("<int:year>/xep-hang/", views.RankingView.as_view(), name="ranking"),
    path("<int:year>/xep-hang/xuat.<emu_fmt:fmt>", views.RankingExportView.as_view(), name="ranking_export"),
    path("don-vi/<int:unit_id>/", views.UnitHistoryView.as_view(), name="unit_history"),
    path("minh-chung/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence"),
    path("danh-hieu/<int:year>/", views.HonoursView.as_view(), name="honours"),
    path("danh-hieu/de-nghi/<int:pk>/quyet-dinh/", views.NominationDecideView.as_view(), name="nomination_decide"),
]
