from django.urls import path

from . import views_dashboard as views

app_name = "dashboard"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("chuong-trinh/<int:number>/", views.ProgramFiguresView.as_view(), name="program"),
    path("cuoc-van-dong/<slug:code>/", views.CampaignFiguresView.as_view(), name="campaign"),
    path("xuat-bao-cao/", views.ExportView.as_view(), name="export"),
    path("xuat-bao-cao/<int:pk>/", views.ExportJobView.as_view(), name="export_job"),
    path("xuat-bao-cao/<int:pk>/tai-ve/", views.ExportFileView.as_view(), name="export_file"),
]
