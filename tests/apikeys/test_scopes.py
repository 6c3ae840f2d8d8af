import pytest
from django.core.exceptions import ValidationError

from apikeys.scopes import (
    ANALYTICS_READ_SCOPE,
    ANALYTICS_WRITE_SCOPE,
    KNOWN_ACTIONS,
    UNKNOWN_SCOPE,
    VALID_SCOPES,
    has_scope,
    validate_scopes,
)


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


class TestTheScopeGrammar:
    """Scopes given to an issuing interface must parse: `*`, `<resource>:*`,
    `<resource>:<action>` or `<resource>:<action>:*` for a known pair. A typo is
    refused with the list of valid scopes, not stored as a scope granting nothing."""

    def test_a_misspelt_scope_is_refused_naming_the_valid_ones(self):
        with pytest.raises(ValidationError) as refused:
            validate_scopes(["sites:provison"])
        message = refused.value.messages[0]
        assert message == UNKNOWN_SCOPE.format(scope="sites:provison")
        assert message.startswith("Invalid scope 'sites:provison'")
        for valid in ["*", "sites:*", "sites:provision", "sites:provision:*", "analytics:write"]:
            assert f" {valid}," in message or f" {valid}." in message

    def test_the_known_pairs_come_from_the_scope_constants(self):
        assert set(KNOWN_ACTIONS) == {
            ("stats", "read"),
            ("sites", "read"),
            ("sites", "provision"),
            ("analytics", "read"),
            ("analytics", "write"),
        }

    @pytest.mark.parametrize("scope", VALID_SCOPES)
    def test_every_valid_scope_is_accepted(self, scope):
        assert validate_scopes([scope]) == [scope]

    @pytest.mark.parametrize(
        "scope",
        [
            "sites:provison",
            "sites:provision:x",
            "sites:provision:**",
            "sites",
            "sites:",
            ":*",
            "**",
            "sites:**",
            "stats:write",
            "funnels:*",
            "funnels:read:*",
            "analytics",
            "sites:read:*:*",
        ],
    )
    def test_anything_else_is_refused(self, scope):
        with pytest.raises(ValidationError, match="there is no such scope"):
            validate_scopes([scope])

    @pytest.mark.parametrize(("resource", "action"), KNOWN_ACTIONS)
    def test_every_spelling_grants_the_pair_it_names(self, resource, action):
        required = {
            ("analytics", "read"): ANALYTICS_READ_SCOPE,
            ("analytics", "write"): ANALYTICS_WRITE_SCOPE,
        }.get((resource, action), f"{resource}:{action}:*")
        for scope in ["*", f"{resource}:*", f"{resource}:{action}", f"{resource}:{action}:*"]:
            assert has_scope([scope], required), scope

    def test_keys_stored_with_odd_scopes_keep_matching_as_before(self):
        assert has_scope(["funnels:*"], "funnels:read:*")
        assert has_scope(["sites:provision"], "sites:provision:*")
        assert not has_scope(["sites:provison"], "sites:provision:*")
