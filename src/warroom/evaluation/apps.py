from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class EvaluationConfig(AppConfig):
    name = "warroom.evaluation"
    label = "evaluation"

    def ready(self) -> None:
        from warroom.evaluation import services  # noqa: F401
        from warroom.evaluation.aggregates import register_sqlite_functions
        from warroom.evaluation.summaries import install_triggers

        # Registers the survey sent when an incident is resolved (transitions.AFTER), the
        # percentile aggregate on each SQLite connection, and the triggers that keep the
        # stored trend months honest after every migrate.
        connection_created.connect(register_sqlite_functions, dispatch_uid="warroom.evaluation")
        post_migrate.connect(install_triggers, sender=self, dispatch_uid="warroom.evaluation")
