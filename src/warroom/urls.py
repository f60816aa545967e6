from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from warroom.api.urls import api
from warroom.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.health, name="health"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("incidents/", include("warroom.incidents.urls")),
    path("incidents/", include("warroom.reports.urls")),
    path("plan/", include("warroom.plan.urls")),
    path("catalog/", include("warroom.catalog.urls")),
    path("team/", include("warroom.people.urls")),
    path("resources/", include("warroom.resources.urls")),
    path("notify/", include("warroom.notify.urls")),
    path("", include("warroom.alerts.urls")),
    path("oncall/", include("warroom.oncall.urls")),
    path("paging/", include("warroom.paging.urls")),
    path("drills/", include("warroom.drills.urls")),
    path("", include("warroom.evaluation.urls")),
    path("", include("warroom.comms.urls")),
]
