"""Static files that work with or without `collectstatic`.

With `collectstatic` run (the production entry point does it), files are served
from STATIC_ROOT with hashed names and compressed copies, as whitenoise's
manifest storage does. Without it, Django's manifest storage would raise on the
first `{% static %}` (the admin login page and the API docs answered 500); here a
name missing from the manifest is served under its plain name instead, which
whitenoise finds through the apps' static directories (WHITENOISE_USE_FINDERS)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ForgivingManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:  # not collected: neither in the manifest nor in STATIC_ROOT
            return name
