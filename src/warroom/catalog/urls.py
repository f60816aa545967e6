from django.urls import path

from warroom.catalog import views

app_name = "catalog"
urlpatterns = [
    path("systems/", views.systems, name="systems"),
    path("systems/new/", views.system_create, name="system-create"),
    path("systems/<int:pk>/", views.system_detail, name="system"),
    path("systems/<int:pk>/edit/", views.system_edit, name="system-edit"),
    path("systems/<int:pk>/delete/", views.system_delete, name="system-delete"),
    path("risks/", views.risks, name="risks"),
    path("risks/new/", views.risk_create, name="risk-create"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="risk-edit"),
    path("risks/<int:pk>/delete/", views.risk_delete, name="risk-delete"),
]
