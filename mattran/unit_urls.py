from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("", views.UnitBrowserView.as_view(), name="browser"),
    path("<str:code>/", views.UnitBrowserView.as_view(), name="detail"),
]
