"""How a `manage.py` command reports a service's refusal: as a CommandError (one
line on stderr, exit status 1) carrying the service's own words, never a
traceback. Services raise Django's ValidationError (accounts, teams, API keys) or
a `ServiceError` (sites); every command wraps its service calls in
`command_errors()` instead of converting each kind itself.

Imports no app, like the rest of this package."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from api.errors import ServiceError


@contextmanager
def command_errors() -> Iterator[None]:
    """Turn a ValidationError (its messages joined by spaces) or a ServiceError
    (its message) raised inside into a CommandError with that text. The original
    is not chained: the operator needs the message, not the stack."""
    try:
        yield
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
    except ServiceError as exc:
        raise CommandError(exc.message) from None
