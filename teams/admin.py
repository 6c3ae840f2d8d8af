from django import forms
from django.contrib import admin

from accounts.admin import UserAdmin
from api.admin_errors import ServiceErrorsAsMessages
from teams.models import Feature, Membership, Team


class TeamForm(forms.ModelForm):
    features = forms.MultipleChoiceField(
        choices=Feature.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Changes take effect on the team's next API request.",
    )

    class Meta:
        model = Team
        fields = [
            "name",
            "setup_complete",
            "features",
            "locked",
            "hourly_api_request_limit",
            "burst_request_limit",
            "burst_period_seconds",
            "site_limit",
        ]

    def clean_features(self) -> list[str]:
        chosen = set(self.cleaned_data["features"])
        return [feature for feature in Feature.values if feature in chosen]


class MembershipInline(admin.TabularInline):
    """A team's members on the team's page, and a person's teams on the user's
    page: one inline, showing the other side of the membership."""

    model = Membership
    extra = 1
    readonly_fields = ["created_at"]

    def get_fields(self, request, obj=None):
        return [self._other_side(), "role", "created_at"]

    def get_autocomplete_fields(self, request):
        return [self._other_side()]

    def _other_side(self) -> str:
        return "user" if self.parent_model is Team else "team"


# teams knows people, not the other way round: the user admin gets its team
# memberships from here.
UserAdmin.inlines = [*UserAdmin.inlines, MembershipInline]


@admin.register(Team)
class TeamAdmin(ServiceErrorsAsMessages, admin.ModelAdmin):
    form = TeamForm
    list_display = [
        "name",
        "identifier",
        "locked",
        "hourly_api_request_limit",
        "burst_request_limit",
        "burst_period_seconds",
        "site_limit",
        "created_at",
    ]
    list_filter = ["locked", "setup_complete"]
    search_fields = ["name", "identifier"]
    readonly_fields = ["identifier", "created_at"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "identifier", "setup_complete", "created_at"]}),
        ("Entitlements", {"fields": ["features", "locked", "site_limit"]}),
        (
            "API rate limits",
            {"fields": ["hourly_api_request_limit", "burst_request_limit", "burst_period_seconds"]},
        ),
    ]
