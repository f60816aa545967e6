from django.contrib import admin

from warroom.plan.models import PlanVersion


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin[PlanVersion]):
    """Versions are immutable history: applied with `warroom plan apply`, never edited here."""

    list_display = ("number", "created_at", "author", "sha256", "comment")
    readonly_fields = (
        "number",
        "created_at",
        "author",
        "sha256",
        "source",
        "document",
        "diff",
        "comment",
    )

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
