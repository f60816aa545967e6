from django.apps import AppConfig


class CommsConfig(AppConfig):
    """User communication (plan §4.3.3): the public status page, its subscribers and the
    reminders to the communications role."""

    name = "warroom.comms"
    label = "comms"
