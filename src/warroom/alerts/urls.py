"""Pages under /alerts/ and PagerDuty's /v2/enqueue (mounted at the site root)."""

from django.urls import path

from warroom.alerts import views, webhooks

app_name = "alerts"
urlpatterns = [
    path("v2/enqueue", webhooks.pagerduty_enqueue, name="pagerduty-enqueue"),
    path("alerts/", views.alert_list, name="list"),
    path("alerts/inbound/<int:pk>/retry/", views.retry_inbound, name="retry-inbound"),
    path("alerts/integrations/", views.integrations, name="integrations"),
    path("alerts/integrations/<int:pk>/rotate-key/", views.rotate_key, name="rotate-key"),
    path("alerts/integrations/<int:pk>/toggle/", views.toggle_integration, name="toggle"),
    path("alerts/routing/", views.routing, name="routing"),
    path("alerts/routing/<int:pk>/edit/", views.edit_rule, name="edit-rule"),
    path("alerts/routing/<int:pk>/delete/", views.delete_rule, name="delete-rule"),
    path("alerts/routing/<int:pk>/up/", views.move_rule, {"up": True}, name="rule-up"),
    path("alerts/routing/<int:pk>/down/", views.move_rule, {"up": False}, name="rule-down"),
    path("alerts/silences/", views.silences, name="silences"),
    path("alerts/silences/<int:pk>/expire/", views.expire_silence, name="expire-silence"),
    path("alerts/maintenance/", views.maintenance, name="maintenance"),
    path("alerts/maintenance/<int:pk>/end/", views.end_maintenance, name="end-maintenance"),
]
