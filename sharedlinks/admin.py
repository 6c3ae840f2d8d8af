from django.contrib import admin

from sharedlinks.models import SharedLink


@admin.register(SharedLink)
class SharedLinkAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "created_at"]
    search_fields = ["name", "site__domain"]
    list_select_related = ["site"]
    readonly_fields = ["site", "name", "slug", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # created through the API's find-or-create
