import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from api.ratelimit import announce_counting  # noqa: E402 (needs the app registry)

announce_counting()
