"""Staff personas: ops may issue and revoke keys; helpdesk is staff without
those permissions."""

import pytest

from tests.apikeys.staff import ISSUE_AND_REVOKE, basic, create_staff


@pytest.fixture
def staff(db):
    return create_staff("ops@example.com", "ops-password-1", *ISSUE_AND_REVOKE)


@pytest.fixture
def staff_auth(staff):
    return {"HTTP_AUTHORIZATION": basic("ops@example.com", "ops-password-1")}


@pytest.fixture
def helpdesk(db):
    return create_staff("helpdesk@example.com", "helpdesk-password-1")
