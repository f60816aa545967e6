from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "warroom.core"
    label = "core"
