from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "warroom.people"
    label = "people"
