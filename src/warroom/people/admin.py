from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from warroom.people import services
from warroom.people.models import ContactMethod, Department, Profile, TeamMembership, TeamRole


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("code", "name_en", "name_zh", "in_plan")
    # Departments come from the plan: change the plan, not the record.
    readonly_fields = ("code", "name_en", "name_zh", "duties_en", "duties_zh", "in_plan")


@admin.register(TeamRole)
class TeamRoleAdmin(admin.ModelAdmin[TeamRole]):
    list_display = ("code", "name_en", "name_zh", "kind", "department", "in_plan")
    readonly_fields = ("code", "name_en", "name_zh", "kind", "department", "group", "in_plan")


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin[TeamMembership]):
    list_display = ("role", "person", "backup")
    list_select_related = ("role", "person", "backup")
    autocomplete_fields = ("person", "backup")

    # Through the services, so that role groups (and so permissions) follow membership.
    def save_model(
        self, request: HttpRequest, obj: TeamMembership, form: Any, change: bool
    ) -> None:
        if change:
            services.set_backup(obj, obj.backup)
        else:
            created = services.add_team_member(obj.role, obj.person, backup=obj.backup)
            obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: TeamMembership) -> None:
        services.remove_team_member(obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would skip the group sync
        return actions


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ("user", "department", "phone", "language")
    list_select_related = ("user", "department")
    search_fields = ("user__username", "user__first_name", "user__last_name")


@admin.register(ContactMethod)
class ContactMethodAdmin(admin.ModelAdmin[ContactMethod]):
    list_display = ("user", "label", "scheme", "position")
    list_select_related = ("user",)
