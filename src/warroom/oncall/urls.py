from django.urls import path

from warroom.oncall import views

app_name = "oncall"
urlpatterns = [
    path("", views.schedules, name="list"),
    path("new/", views.schedule_create, name="schedule-create"),
    path("<int:pk>/", views.schedule_detail, name="schedule"),
    path("<int:pk>/edit/", views.schedule_edit, name="schedule-edit"),
    path("<int:pk>/delete/", views.schedule_delete, name="schedule-delete"),
    path("<int:pk>/rotate-feed/", views.schedule_rotate_feed, name="schedule-rotate-feed"),
    path("<int:pk>/layers/new/", views.layer_create, name="layer-create"),
    path("<int:pk>/layers/<int:layer_pk>/edit/", views.layer_edit, name="layer-edit"),
    path("<int:pk>/layers/<int:layer_pk>/delete/", views.layer_delete, name="layer-delete"),
    path("<int:pk>/overrides/new/", views.override_create, name="override-create"),
    path(
        "<int:pk>/overrides/<int:override_pk>/delete/",
        views.override_delete,
        name="override-delete",
    ),
    path("feed/rotate/", views.person_feed_rotate, name="person-feed-rotate"),
    # Public by design (calendar apps cannot sign in): the secret token is the key.
    path("feeds/schedule/<slug:token>.ics", views.schedule_feed, name="feed-schedule"),
    path("feeds/person/<slug:token>.ics", views.person_feed, name="feed-person"),
]
