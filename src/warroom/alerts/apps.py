from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class AlertsConfig(AppConfig):
    name = "warroom.alerts"
    label = "alerts"

    def ready(self) -> None:
        from warroom.alerts import inbox, queries
        from warroom.alerts.models import Integration, MaintenanceWindow, RoutingRule, Silence
        from warroom.plan.models import PlanVersion

        # A disabled, deleted or re-keyed integration stops being accepted at once here.
        for signal in (post_save, post_delete):
            signal.connect(queries.forget_integrations, sender=Integration, dispatch_uid=signal)
        # Routing reads these through a one-second cache (queries.routing_setup).
        for model in (RoutingRule, Silence, MaintenanceWindow):
            for signal in (post_save, post_delete):
                signal.connect(queries.routing_changed, sender=model, dispatch_uid=(signal, model))
        m2m_changed.connect(
            queries.routing_changed, sender=MaintenanceWindow.systems.through, dispatch_uid="mw"
        )
        # Only the Django admin's superuser could delete a plan version; then ask again.
        post_delete.connect(inbox.forget_plan, sender=PlanVersion, dispatch_uid="forget_plan")
