from django.urls import path

from reports.spreadsheets import views as views_excel
from reports.submissions import history_views, inbox_views, views

app_name = "reports"

urlpatterns = [
    path("", inbox_views.InboxView.as_view(), name="inbox"),
    path("day-du/", views.CompletenessView.as_view(), name="completeness"),
    path("<slug:form>/<str:unit>/<str:period>/", views.GridView.as_view(), name="grid"),
    path("<slug:form>/<str:unit>/<str:period>/mau-excel/", views_excel.TemplateDownloadView.as_view(),
         name="template_download"),
    path("<slug:form>/<str:unit>/<str:period>/tai-len/", views_excel.UploadView.as_view(), name="upload"),
    path("<slug:form>/<str:unit>/<str:period>/tai-len/<str:token>/", views_excel.UploadConfirmView.as_view(),
         name="upload_confirm"),
    path("<slug:form>/<str:unit>/<str:period>/gui/", views.SubmitView.as_view(), name="submit"),
    path("<slug:form>/<str:unit>/<str:period>/tra-lai/", views.ReturnView.as_view(), name="return"),
    path("<slug:form>/<str:unit>/<str:period>/duyet/", views.ApproveView.as_view(), name="approve"),
    path("<slug:form>/<str:unit>/<str:period>/mo-lai/", views.ReopenView.as_view(), name="reopen"),
    path("<slug:form>/<str:unit>/<str:period>/lich-su/", history_views.HistoryView.as_view(), name="history"),
    path(
        "<slug:form>/<str:unit>/<str:period>/lich-su/<slug:indicator>/<str:row>/",
        history_views.CellHistoryView.as_view(),
        name="cell_history",
    ),
]
