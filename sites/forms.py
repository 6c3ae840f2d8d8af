from django import forms
from django.contrib.auth import password_validation

from accounts.models import User

WRONG_PASSWORD = "That password is not right."


class SignInToAcceptForm(forms.Form):
    """The invitee already has an account: they prove it with its password.

    `password_rejected` says a password was checked and refused, which the page
    counts as a failed sign-in. An inactive account is refused like a wrong
    password, after the same hash, so the answer never confirms a password."""

    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.password_rejected = False

    def clean_password(self):
        password = self.cleaned_data["password"]
        right = self.user.check_password(password)
        if not (right and self.user.is_active):
            self.password_rejected = True
            raise forms.ValidationError(WRONG_PASSWORD)
        return password


class CreateAccountToAcceptForm(forms.Form):
    """No account has the invited email yet: the invitee creates it with a password."""

    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            raise forms.ValidationError("The two passwords differ.")
        if first:
            password_validation.validate_password(first, User(email=self.email))
        return cleaned
