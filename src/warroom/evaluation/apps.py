from django.apps import AppConfig
from django.db.backends.signals import connection_created


class EvaluationConfig(AppConfig):
    name = "warroom.evaluation"
    label = "evaluation"

    def ready(self) -> None:
        from warroom.evaluation import services  # noqa: F401
        from warroom.evaluation.aggregates import register_sqlite_functions

        # Registers the survey sent when an incident is resolved (transitions.AFTER), and
        # the percentile aggregate on each SQLite connection.
        connection_created.connect(register_sqlite_functions, dispatch_uid="warroom.evaluation")
