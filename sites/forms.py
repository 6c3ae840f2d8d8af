from django import forms
from django.contrib.auth import password_validation


class SignInToAcceptForm(forms.Form):
    """The invitee already has an account: they prove it with their password."""

    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That password is not right.")
        return password


class SetPasswordToAcceptForm(forms.Form):
    """The invitee has no account (or no password) yet: they choose one."""

    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            raise forms.ValidationError("The two passwords differ.")
        if first:
            from accounts.models import User

            password_validation.validate_password(first, User(email=self.email))
        return cleaned
