from django.urls import path

from warroom.drills import views

app_name = "drills"
urlpatterns = [
    path("", views.drill_list, name="list"),
    path("new/", views.drill_create, name="create"),
    path("schedule/", views.drill_schedule, name="schedule"),
    path("<int:pk>/", views.drill_detail, name="detail"),
    path("<int:pk>/start/", views.drill_action, {"action": "start"}, name="start"),
    path("<int:pk>/finish/", views.drill_action, {"action": "finish"}, name="finish"),
    path("<int:pk>/cancel/", views.drill_action, {"action": "cancel"}, name="cancel"),
    path("<int:pk>/injects/new/", views.inject_create, name="inject-create"),
    path("<int:pk>/injects/<int:inject_id>/edit/", views.inject_edit, name="inject-edit"),
    path("<int:pk>/injects/<int:inject_id>/delete/", views.inject_delete, name="inject-delete"),
    path("<int:pk>/findings/", views.finding_create, name="finding-create"),
    path(
        "<int:pk>/findings/<int:finding_id>/status/",
        views.finding_status,
        name="finding-status",
    ),
    path("<int:pk>/report", views.drill_report, name="report"),
    path("<int:pk>/report.<str:fmt>", views.drill_export, name="export"),
]
