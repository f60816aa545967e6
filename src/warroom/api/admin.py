from django.contrib import admin

from warroom.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = (
        "prefix",
        "user",
        "name",
        "read_only",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("read_only",)
    # Tokens are created by `warroom token create` (shown once); the admin only revokes.
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "digest",
        "read_only",
        "created_at",
        "last_used_at",
    )
    search_fields = ("prefix", "user__username", "name")

    def has_add_permission(self, request: object) -> bool:
        return False
