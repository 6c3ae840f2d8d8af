from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self):
        from apikeys import schema  # noqa: F401 (registers the OpenAPI auth schemes)
        from apikeys.stamps import connect_receivers

        connect_receivers()
