from django.urls import path

from warroom.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.inventory, name="inventory"),
    path("contacts/", views.contacts, name="contacts"),
]
