from __future__ import annotations

from django.contrib import admin

from warroom.drills.models import Drill, Finding, Inject


class InjectInline(admin.TabularInline[Inject, Drill]):
    model = Inject
    extra = 0
    fields = ("offset_seconds", "kind", "title", "category", "level", "done_at", "incident")
    readonly_fields = ("done_at", "incident")


@admin.register(Drill)
class DrillAdmin(admin.ModelAdmin[Drill]):
    """Status, times and score change only through the drills services (the pages, the API
    or `warroom drill`)."""

    list_display = ("__str__", "scheduled_for", "status", "plan_version", "finished_at")
    list_filter = ("status",)
    readonly_fields = ("status", "started_at", "finished_at", "cancelled_at", "score")
    inlines = [InjectInline]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin[Finding]):
    list_display = ("text", "drill", "owner", "due_date", "status")
    list_filter = ("status",)
    list_select_related = ("drill", "owner")
