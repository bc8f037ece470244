from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("", views.UnitBrowserView.as_view(), name="browser"),
    path("tai-len-khu-dan-cu/", views.AreaUploadView.as_view(), name="upload_areas"),
    path("<str:code>/", views.UnitBrowserView.as_view(), name="detail"),
]
