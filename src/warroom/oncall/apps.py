from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "warroom.oncall"
    label = "oncall"
