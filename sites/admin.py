from django.contrib import admin

from sites.models import GuestMembership, Site


class GuestMembershipInline(admin.TabularInline):
    model = GuestMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["domain", "team", "timezone", "created_at"]
    search_fields = ["domain", "domain_changed_from", "team__name"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]
    inlines = [GuestMembershipInline]
