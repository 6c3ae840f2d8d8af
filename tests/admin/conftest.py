import pytest

from accounts.services import create_user


@pytest.fixture
def staff_client(client):
    """The test client signed in to the admin as a superuser."""
    staff = create_user(email="ops@example.com", password="ops-password-1", is_superuser=True)
    client.force_login(staff)
    return client
