from django.urls import path

from warroom.paging import views

app_name = "paging"
urlpatterns = [
    path("ack/<str:token>/", views.acknowledge, name="ack"),
    path("rules/", views.rules, name="rules"),
]
