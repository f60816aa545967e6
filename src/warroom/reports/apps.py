from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The post-incident report as a document (Markdown, HTML, PDF), its review actions, and
    the follow-up of its action items (reminders, the overdue list). The report and action
    item rows themselves belong to the incidents app, which drafts them."""

    name = "warroom.reports"
    label = "reports"
