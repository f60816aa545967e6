from django.urls import path

from warroom.people import views

app_name = "people"
urlpatterns = [path("", views.team, name="team")]
