from django.urls import path

from warroom.people import views

app_name = "people"
urlpatterns = [
    path("", views.team, name="team"),
    path("members/add/", views.member_add, name="member-add"),
    path("members/<int:pk>/backup/", views.member_backup, name="member-backup"),
    path("members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/contact-methods/", views.contact_methods, name="contact-methods"),
]
