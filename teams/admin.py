from django import forms
from django.contrib import admin

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
    model = Membership
    extra = 1
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
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
