from django import forms
from django.contrib import admin

from sites.exceptions import SiteServiceError
from sites.models import Goal, GuestInvitation, GuestMembership, Site, TrackerScriptConfiguration
from sites.services import create_site
from teams.exceptions import TeamNotEntitled


class GuestMembershipInline(admin.TabularInline):
    model = GuestMembership
    extra = 0
    autocomplete_fields = ["user"]


class GuestInvitationInline(admin.TabularInline):
    model = GuestInvitation
    extra = 0
    fields = ["email", "role", "invited_by", "created_at"]
    readonly_fields = ["email", "invited_by", "created_at"]
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # invitations are sent through the API or `manage.py add_guest`


class TrackerInline(admin.StackedInline):
    model = TrackerScriptConfiguration
    extra = 0
    readonly_fields = ["public_id"]
    can_delete = False


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0
    fields = ["display_name", "event_name", "page_path", "scroll_threshold", "custom_props"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class SiteCreationForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["team", "domain", "timezone"]

    def clean(self):
        # The service validates and creates in one transaction; doing it here lets
        # its errors show on the form like any other validation error.
        cleaned = super().clean()
        team = cleaned.get("team")
        if team is not None and not self.errors:
            try:
                self.instance = create_site(
                    team=team, domain=cleaned["domain"], timezone=cleaned["timezone"]
                )
            # A bad domain, the site limit; the team is locked or lacks Sites API.
            except (SiteServiceError, TeamNotEntitled) as exc:
                raise forms.ValidationError(exc.message) from None
        return cleaned


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    """Sites are created through the same service as the API (domain rules, claims,
    tracker configuration); a domain is changed through the API only, so the old
    domain keeps resolving."""

    list_display = ["domain", "team", "timezone", "created_at"]
    search_fields = ["domain", "domain_changed_from", "team__name"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]
    readonly_fields = ["domain", "domain_changed_from", "domain_changed_at", "created_at"]
    inlines = [TrackerInline, GoalInline, GuestMembershipInline, GuestInvitationInline]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SiteCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        # New sites were saved by SiteCreationForm through `create_site`.
