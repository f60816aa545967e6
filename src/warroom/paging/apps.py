from django.apps import AppConfig


class PagingConfig(AppConfig):
    name = "warroom.paging"
    label = "paging"

    def ready(self) -> None:
        # Registers the effects that start paging on a report (transitions.ON_REPORT) and stop
        # it on acknowledgement or cancellation (transitions.AFTER).
        from warroom.paging import services  # noqa: F401
