import pytest
from django.core.exceptions import ValidationError

from apikeys.scopes import has_scope, validate_scopes


@pytest.mark.parametrize(
    "key_scopes, required",
    [
        (["sites:provision:*"], "sites:provision:*"),
        (["sites:provision"], "sites:provision:*"),
        (["sites:*"], "sites:provision:*"),
        (["*"], "sites:provision:*"),
        (["*"], "anything:at:all"),
        (["funnels:*"], "funnels:read:*"),
        # implicit for every key, whatever it carries
        ([], "stats:read:*"),
        ([], "sites:read:*"),
        (["stats:read:*"], "sites:read:*"),
    ],
)
def test_it_grants(key_scopes, required):
    assert has_scope(key_scopes, required)


@pytest.mark.parametrize(
    "key_scopes, required",
    [
        (["stats:read:*"], "sites:provision:*"),
        (["sites:read:*"], "sites:provision:*"),
        ([], "sites:provision:*"),
        (["funnels:read:*"], "funnels:*"),
        (["sites:provision:x"], "sites:provision:*"),
    ],
)
def test_it_refuses(key_scopes, required):
    assert not has_scope(key_scopes, required)


def test_validation_deduplicates_and_strips():
    assert validate_scopes([" sites:* ", "sites:*", "stats:read:*"]) == ["sites:*", "stats:read:*"]


@pytest.mark.parametrize(
    "scopes", [[], "sites:*", [""], [None], ["Sites:*"], ["sites:*:x"], ["a b"], ["x" * 65]]
)
def test_validation_rejects(scopes):
    with pytest.raises(ValidationError):
        validate_scopes(scopes)


@pytest.mark.parametrize(
    ("key_scopes", "required"),
    [
        (["sites:provision:*"], "analytics:write"),
        (["analytics:write"], "sites:provision:*"),
        (["analytics:*"], "analytics:write"),
        ([], "analytics:read"),  # sites:read:* is implicit, and its twin with it
        (["*"], "analytics:write"),
    ],
)
def test_the_two_dialects_scopes_are_twins(key_scopes, required):
    assert has_scope(key_scopes, required)


@pytest.mark.parametrize(
    ("key_scopes", "required"),
    [
        ([], "analytics:write"),
        (["analytics:read"], "sites:provision:*"),
        (["stats:read:*"], "analytics:write"),
    ],
)
def test_reading_never_grants_writing(key_scopes, required):
    assert not has_scope(key_scopes, required)
