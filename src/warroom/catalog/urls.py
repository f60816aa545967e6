from django.urls import path

from warroom.catalog import views

app_name = "catalog"
urlpatterns = [
    path("systems/", views.systems, name="systems"),
    path("risks/", views.risks, name="risks"),
]
