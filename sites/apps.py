from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    label = "analytics_sites"  # "sites" is taken by django.contrib.sites
    verbose_name = "Sites"
