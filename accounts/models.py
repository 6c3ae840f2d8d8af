from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from api.querysets import SignallingQuerySet

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit on a forward path
USER_NAME_MAX_LENGTH = 150


class UserManager(BaseUserManager.from_queryset(SignallingQuerySet)):
    """Bulk writes are heard (api.querysets): a principal cache remembers users."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("Users must have an email address")
        user = self.model(email=normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        # Sign-in is case-insensitive on the email.
        return self.get(email=normalize_email(username))


def normalize_email(email: str) -> str:
    """Emails are stored lower-cased so every comparison is case-insensitive."""
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with an email address; has no username."""

    email = models.EmailField(max_length=EMAIL_MAX_LENGTH, unique=True)
    name = models.CharField(max_length=USER_NAME_MAX_LENGTH, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the admin and issue API keys over HTTP."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="user_email_is_lowercase"
            )
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)
