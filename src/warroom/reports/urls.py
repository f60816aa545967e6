"""Mounted under /incidents/ beside the incidents app's own URLs."""

from django.urls import path

from warroom.reports import views

app_name = "reports"
urlpatterns = [
    path("actions/", views.actions, name="actions"),
    path("<int:pk>/report.<slug:fmt>", views.export, name="export"),
    path("<int:pk>/report/submit/", views.submit, name="submit"),
    path("<int:pk>/report/approve/", views.approve, name="approve"),
    path("<int:pk>/report/reject/", views.reject, name="reject"),
    path("<int:pk>/report/publish/", views.publish, name="publish"),
]
