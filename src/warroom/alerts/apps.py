from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "warroom.alerts"
    label = "alerts"
