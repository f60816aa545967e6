from django.apps import AppConfig


class CommsConfig(AppConfig):
    """User communication (plan §4.3.3): the public status page, its subscribers and the
    reminders to the communications role."""

    name = "warroom.comms"
    label = "comms"

    def ready(self) -> None:
        # Registers the subscribers' survey sent when an incident is resolved (transitions.AFTER).
        from warroom.comms import surveys  # noqa: F401
