from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "warroom.incidents"
    label = "incidents"

    def ready(self) -> None:
        # The services register the side effects of state changes (transitions.AFTER).
        from warroom.incidents import services  # noqa: F401
