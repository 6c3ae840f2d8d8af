from django.apps import AppConfig


class SharedLinksConfig(AppConfig):
    name = "sharedlinks"
    verbose_name = "Shared links"
