from django.apps import AppConfig


class PagingConfig(AppConfig):
    name = "warroom.paging"
    label = "paging"

    def ready(self) -> None:
        # Registers the incident state effects that stop paging (transitions.AFTER).
        from warroom.paging import services  # noqa: F401
