from django.urls import path
from django.urls.resolvers import URLPattern

from warroom.incidents.views import lifecycle, pages, work

app_name = "incidents"


def _step(name: str) -> URLPattern:
    """A lifecycle step without input, e.g. /incidents/7/acknowledge/ named "acknowledge"."""
    return path(f"<int:pk>/{name}/", lifecycle.step, {"step": name}, name=name)


urlpatterns = [
    path("", pages.incident_list, name="list"),
    path("report/", pages.report, name="report"),
    path("<int:pk>/", pages.detail, name="detail"),
    path("<int:pk>/section/<slug:name>/", pages.section, name="section"),
    *(_step(name) for name in lifecycle.STEPS),
    path("<int:pk>/assess/", lifecycle.assess, name="assess"),
    path("<int:pk>/resume/", lifecycle.resume, name="resume"),
    path("<int:pk>/resolve/", lifecycle.resolve, name="resolve"),
    path("<int:pk>/cancel/", lifecycle.cancel, name="cancel"),
    path("<int:pk>/team/", lifecycle.team, name="team"),
    path("<int:pk>/orders/", lifecycle.issue_order, name="order"),
    path(
        "<int:pk>/orders/<int:order_id>/acknowledge/",
        lifecycle.acknowledge_order,
        name="order-acknowledge",
    ),
    path("<int:pk>/tasks/<int:task_id>/", work.task, name="task"),
    path("<int:pk>/checklist/<int:item_id>/", work.check, name="check"),
    path("<int:pk>/restores/", work.restore, name="restore"),
    path("<int:pk>/leak/", work.leak, name="leak"),
    path("<int:pk>/leak/legal-decision/", work.legal, name="legal"),
    path("<int:pk>/user-updates/", work.user_update, name="user-update"),
    path("<int:pk>/allocations/", work.allocate, name="allocate"),
    path("<int:pk>/allocations/<int:allocation_id>/release/", work.release, name="release"),
    path("<int:pk>/outside-help/", work.outside_help, name="outside-help"),
    path(
        "<int:pk>/outside-help/<int:request_id>/outcome/",
        work.outside_outcome,
        name="outside-outcome",
    ),
    path("<int:pk>/recovery/<int:item_id>/sign/", work.sign, name="sign"),
    path("<int:pk>/report/", work.edit_report, name="edit-report"),
    path("<int:pk>/action-items/", work.add_action_item, name="action-item"),
    path("<int:pk>/action-items/<int:item_id>/", work.action_status, name="action-status"),
]
