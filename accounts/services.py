from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts.models import User, normalize_email


def create_user(
    *,
    email: str,
    password: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a person. Without a password they cannot sign in until one is set."""
    email = normalize_email(email)
    validate_email(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError(f"A user with email {email} already exists.")
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email, password, is_staff=is_staff or is_superuser, is_superuser=is_superuser
            )
    except IntegrityError:
        raise ValidationError(f"A user with email {email} already exists.") from None


def get_or_create_user(*, email: str) -> tuple[User, bool]:
    email = normalize_email(email)
    validate_email(email)
    try:
        with transaction.atomic():
            return User.objects.get_or_create(email=email, defaults={"password": "!"})
    except IntegrityError:
        # A concurrent call created the same user between our read and write.
        return User.objects.get(email=email), False
