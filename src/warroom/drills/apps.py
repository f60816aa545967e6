from django.apps import AppConfig


class DrillsConfig(AppConfig):
    name = "warroom.drills"
    label = "drills"
