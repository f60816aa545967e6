from django.urls import path

from warroom.plan import views

app_name = "plan"
urlpatterns = [
    path("", views.current, name="current"),
    path("versions/", views.versions, name="versions"),
    path("versions/<int:number>/", views.version_detail, name="version"),
    path("diff/", views.diff, name="diff"),
]
