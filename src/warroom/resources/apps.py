from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "warroom.resources"
    label = "resources"
