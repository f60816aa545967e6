from django.apps import AppConfig


class PlanConfig(AppConfig):
    name = "warroom.plan"
    label = "plan"
