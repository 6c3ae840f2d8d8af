"""accounts.throttle: failed sign-ins counted per client address and per account
in the shared cache, refused once over the budget, closed (or open, if the
operator chose so) when the cache is gone."""

import pytest

from accounts.throttle import (
    TOO_MANY_FAILURES,
    Refusal,
    ThrottleUnavailable,
    record_sign_in_failure,
    sign_in_refusal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "3/15m"
    settings.FAILED_SIGN_IN_RATE_PER_ACCOUNT = "2/1h"


def fail(times: int, *, address=None, account=None) -> None:
    for _ in range(times):
        record_sign_in_failure(address=address, account=account)


@pytest.mark.usefixtures("limits", "shared_cache")
class TestCounting:
    def test_an_address_is_refused_once_its_failures_reach_the_limit(self):
        fail(2, address="198.51.100.1")
        assert sign_in_refusal(address="198.51.100.1", account=None) is None
        fail(1, address="198.51.100.1")
        refusal = sign_in_refusal(address="198.51.100.1", account="any@example.com")
        assert isinstance(refusal, Refusal)
        assert 1 <= refusal.retry_after <= 15 * 60
        assert refusal.message == TOO_MANY_FAILURES.format(seconds=refusal.retry_after)

    def test_another_address_is_not_refused(self):
        fail(3, address="198.51.100.1")
        assert sign_in_refusal(address="198.51.100.2", account=None) is None

    def test_an_account_is_refused_from_every_address(self):
        record_sign_in_failure(address="198.51.100.1", account="ops@example.com")
        record_sign_in_failure(address="198.51.100.2", account="ops@example.com")
        refusal = sign_in_refusal(address="198.51.100.3", account="ops@example.com")
        assert refusal is not None and 1 <= refusal.retry_after <= 3600
        assert sign_in_refusal(address="198.51.100.3", account="other@example.com") is None

    def test_an_account_is_one_counter_however_its_email_is_spelt(self):
        fail(1, account="Ops@Example.com")
        fail(1, account=" ops@example.com ")
        assert sign_in_refusal(address=None, account="OPS@EXAMPLE.COM") is not None

    def test_asking_counts_nothing(self):
        for _ in range(10):
            assert sign_in_refusal(address="198.51.100.1", account="ops@example.com") is None

    def test_the_limit_is_a_setting(self, settings):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "1/15m"
        fail(1, address="198.51.100.1")
        assert sign_in_refusal(address="198.51.100.1", account=None) is not None

    def test_no_address_and_no_account_counts_nothing(self):
        fail(5)
        assert sign_in_refusal(address=None, account=None) is None


@pytest.mark.usefixtures("unreachable_cache")
class TestCacheUnavailable:
    def test_closed_by_default_it_raises(self, settings):
        settings.RATELIMIT_FAIL_OPEN = False
        with pytest.raises(ThrottleUnavailable):
            sign_in_refusal(address="198.51.100.1", account="ops@example.com")
        with pytest.raises(ThrottleUnavailable):
            record_sign_in_failure(address="198.51.100.1", account="ops@example.com")

    def test_open_if_the_operator_says_so(self, settings):
        settings.RATELIMIT_FAIL_OPEN = True
        assert sign_in_refusal(address="198.51.100.1", account="ops@example.com") is None
        record_sign_in_failure(address="198.51.100.1", account="ops@example.com")
