from django.contrib import admin

from warroom.evaluation.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin[Feedback]):
    list_display = ("incident", "source", "from_user", "score", "created_at", "submitted_at")
    list_filter = ("source", "score")
    raw_id_fields = ("incident", "from_user", "subscriber")
    # Answers come from the survey link only; the admin shows them.
    readonly_fields = (
        "incident",
        "source",
        "from_user",
        "subscriber",
        "score",
        "comment",
        "created_at",
        "submitted_at",
    )
