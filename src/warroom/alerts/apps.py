from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AlertsConfig(AppConfig):
    name = "warroom.alerts"
    label = "alerts"

    def ready(self) -> None:
        from warroom.alerts import inbox, queries
        from warroom.alerts.models import Integration
        from warroom.plan.models import PlanVersion

        # A disabled, deleted or re-keyed integration stops being accepted at once here.
        for signal in (post_save, post_delete):
            signal.connect(queries.forget_integrations, sender=Integration, dispatch_uid=signal)
        # Only the Django admin's superuser could delete a plan version; then ask again.
        post_delete.connect(inbox.forget_plan, sender=PlanVersion, dispatch_uid="forget_plan")
