"""Root URL configuration: each app's pages under its own namespace."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from campaigns.plan_views import HomeView

from . import views

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("don-vi/", include("mattran.unit_urls")),
    path("chuong-trinh/", include("campaigns.plan_urls")),
    path("cuoc-van-dong/", include("campaigns.urls")),
    path("bao-cao/", include("reports.urls")),
    path("tong-quan/", include("reports.dashboard.urls")),
    path("chi-tieu/", include("reports.targets.urls")),
    path("thi-dua/", include("emulation.urls")),
    path("so-theo-doi/", include("registers.urls")),
    path("api/v1/", include("reports.targets.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]
