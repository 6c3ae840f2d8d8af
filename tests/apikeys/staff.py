"""Staff personas and basic-auth helpers for the key endpoints."""

import base64

from django.contrib.auth.models import Permission

from accounts.services import create_user

KEYS = "/api/v2/auth/keys"
REVOKE = "/api/v2/auth/keys/revoke"
ISSUE_AND_REVOKE = ("add_apikey", "delete_apikey")


def basic(email: str, password: str) -> str:
    return basic_bytes(f"{email}:{password}".encode())


def basic_bytes(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials).decode()


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="apikeys", codename__in=codenames)
    )


def create_staff(email: str, password: str, *codenames: str, **extra):
    user = create_user(email=email, password=password, is_staff=True, **extra)
    grant(user, *codenames)
    return user
