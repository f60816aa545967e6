"""The public status pages at the site root (/status...) and the staff pages under /comms/."""

from django.urls import path

from warroom.comms import views

app_name = "comms"
urlpatterns = [
    path("status", views.status, name="status"),
    path("status/feed.atom", views.feed, name="feed"),
    path("status/subscribe", views.subscribe, name="subscribe"),
    path("status/confirm/<str:token>", views.confirm, name="confirm"),
    path("status/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("status/survey/<str:token>", views.survey, name="survey"),
    path("comms/", views.index, name="index"),
    path("comms/incidents/<int:pk>/", views.incident, name="incident"),
    path("comms/components/", views.components, name="components"),
    path("comms/components/<int:pk>/", views.component_edit, name="component-edit"),
    path("comms/components/<int:pk>/delete/", views.component_delete, name="component-delete"),
    path("comms/subscribers/", views.subscriber_list, name="subscribers"),
]
