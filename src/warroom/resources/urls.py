from django.urls import path

from warroom.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.inventory, name="inventory"),
    path("new/", views.resource_create, name="resource-create"),
    path("<int:pk>/edit/", views.resource_edit, name="resource-edit"),
    path("<int:pk>/state/", views.resource_state, name="resource-state"),
    path("<int:pk>/delete/", views.resource_delete, name="resource-delete"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/new/", views.contact_create, name="contact-create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact-delete"),
]
