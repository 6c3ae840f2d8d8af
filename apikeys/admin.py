from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone

from api.admin_errors import ServiceErrorsAsMessages
from api.network import client_address_text
from apikeys.allowed_networks import parse_networks
from apikeys.models import ApiKey
from apikeys.scopes import validate_scopes
from apikeys.services import create_api_key, revoke_api_key, validate_key_request


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]


class ApiKeyForm(forms.ModelForm):
    scopes_text = forms.CharField(
        label="Scopes",
        initial="stats:read:*",
        help_text="Comma-separated, e.g. sites:provision:* (stats:read:* and sites:read:* "
        "are implicit for every key).",
    )
    networks_text = forms.CharField(
        label="Allowed networks",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Addresses or CIDR ranges, comma or newline separated. Empty allows any.",
    )

    class Meta:
        model = ApiKey
        fields = ["user", "team", "name", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["scopes_text"].initial = ", ".join(self.instance.scopes)
            self.fields["networks_text"].initial = ", ".join(self.instance.allowed_networks)

    def clean_scopes_text(self) -> list[str]:
        return validate_scopes(_split(self.cleaned_data["scopes_text"]))

    def clean_networks_text(self) -> list[str]:
        return parse_networks(_split(self.cleaned_data["networks_text"]))

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                validate_key_request(
                    user=cleaned["user"],
                    team=cleaned.get("team"),
                    name=cleaned.get("name", ""),
                    scopes=cleaned["scopes_text"],
                    allowed_networks=cleaned["networks_text"],
                    expires_at=cleaned.get("expires_at"),
                )
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceErrorsAsMessages, admin.ModelAdmin):
    """Issuing a key shows the raw key once, on the page that answers the form;
    afterwards only its prefix is ever shown. The hash is never displayed."""

    form = ApiKeyForm
    list_display = [
        "key_prefix",
        "name",
        "user",
        "team_label",
        "scope_list",
        "status",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "team"]
    search_fields = ["key_prefix", "name", "user__email", "team__name"]
    list_select_related = ["user", "team", "created_by"]
    autocomplete_fields = ["user", "team"]
    actions = ["revoke_selected"]
    readonly_fields = ["key_prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "team", *self.readonly_fields]

    def get_fields(self, request, obj=None):
        editable = ["name", "scopes_text", "networks_text", "expires_at"]
        if obj is None:
            return ["user", "team", *editable]
        return [
            "key_prefix",
            "user",
            "team",
            *editable,
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    @admin.display(description="Team")
    def team_label(self, obj: ApiKey) -> str:
        return obj.team.display_name if obj.team else "— legacy (all teams) —"

    @admin.display(description="Scopes")
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes)

    @admin.display(description="Status")
    def status(self, obj: ApiKey) -> str:
        if obj.revoked_at:
            return "revoked"
        if obj.expires_at and obj.expires_at <= timezone.now():
            return "expired"
        return "active"

    def save_model(self, request, obj, form, change):
        if change:
            obj.scopes = form.cleaned_data["scopes_text"]
            obj.allowed_networks = form.cleaned_data["networks_text"]
            obj.save()
            return
        issued = create_api_key(
            user=form.cleaned_data["user"],
            team=form.cleaned_data.get("team"),
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes_text"],
            allowed_networks=form.cleaned_data["networks_text"],
            expires_at=form.cleaned_data.get("expires_at"),
            created_by=request.user,
            source=client_address_text(request),
        )
        obj.pk = issued.api_key.pk
        obj.refresh_from_db()
        # Kept on the request only, to render it once in response_add.
        request._issued_raw_key = issued.raw_key

    def response_add(self, request, obj, post_url_continue=None):
        raw_key = getattr(request, "_issued_raw_key", None)
        if raw_key is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "api_key": obj,
            "raw_key": raw_key,
            "title": "API key created",
        }
        response = TemplateResponse(request, "admin/apikeys/apikey/key_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke selected API keys")
    def revoke_selected(self, request, queryset):
        source = client_address_text(request)
        revoked = sum(
            revoke_api_key(api_key=api_key, revoked_by=request.user, source=source)
            for api_key in queryset.select_related("user", "team")
        )
        self.message_user(request, f"Revoked {revoked} API key(s).", messages.SUCCESS)
