import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()

from api.ratelimit import announce_counting  # noqa: E402 (needs the app registry)

announce_counting()
