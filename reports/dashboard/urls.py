from django.urls import path

from reports.dashboard import views
from reports.exports import views as export_views

app_name = "dashboard"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("chuong-trinh/<int:number>/", views.ProgramFiguresView.as_view(), name="program"),
    path("cuoc-van-dong/<slug:code>/", views.CampaignFiguresView.as_view(), name="campaign"),
    path("xuat-bao-cao/", export_views.ExportView.as_view(), name="export"),
    path("xuat-bao-cao/<int:pk>/", export_views.ExportJobView.as_view(), name="export_job"),
    path("xuat-bao-cao/<int:pk>/tai-ve/", export_views.ExportFileView.as_view(), name="export_file"),
]
