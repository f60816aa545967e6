from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "warroom.api"
    label = "api"
