#!/usr/bin/env python
import os
import secrets
import sys

# Commands that only read the code (no request is served, nothing is signed) run
# without a SECRET_KEY, so `makemigrations --check` works on a bare checkout. They
# get a random key for this process alone; everything else still refuses to start
# in production without one (config/settings.py).
CODE_ONLY_COMMANDS = frozenset({"makemigrations", "spectacular"})


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
