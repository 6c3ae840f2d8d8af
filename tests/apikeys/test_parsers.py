"""The JSON parser's nesting bound and the storability check, on their own: deep
input is refused with a 400-carrying ParseError, never a RecursionError."""

import io
import json

import pytest
from rest_framework.exceptions import ParseError

from api.params import _unstorable
from api.parsers import MAX_JSON_DEPTH, TOO_DEEP, BoundedJSONParser, json_depth_exceeds


def parse(text: str):
    return BoundedJSONParser().parse(io.BytesIO(text.encode()), "application/json", {})


def lists(depth: int, innermost: object = None) -> object:
    """`depth` nested lists around `innermost`, built without recursion."""
    value = innermost
    for _ in range(depth):
        value = [value]
    return value


class TestTheParserBoundsNesting:
    def test_a_body_at_the_limit_parses(self):
        assert parse(json.dumps(lists(MAX_JSON_DEPTH))) == lists(MAX_JSON_DEPTH)

    def test_one_level_past_the_limit_is_refused(self):
        with pytest.raises(ParseError) as refused:
            parse(json.dumps(lists(MAX_JSON_DEPTH + 1)))
        assert str(refused.value.detail) == TOO_DEEP

    @pytest.mark.parametrize("depth", [10_000, 100_000])
    @pytest.mark.parametrize("opener", ["[", '{"a":'])
    def test_a_body_deep_enough_to_exhaust_the_decoder_is_refused(self, depth, opener):
        closer = "]" if opener == "[" else "}"
        with pytest.raises(ParseError) as refused:
            parse(opener * depth + "1" + closer * depth)
        assert str(refused.value.detail) == TOO_DEEP

    def test_objects_count_as_levels_like_lists(self):
        shallow = {"a": lists(MAX_JSON_DEPTH - 1)}
        assert not json_depth_exceeds(shallow)
        assert json_depth_exceeds({"a": shallow})

    def test_scalars_and_wide_bodies_are_not_deep(self):
        assert not json_depth_exceeds("text")
        assert not json_depth_exceeds({str(n): [n] for n in range(10_000)})

    def test_malformed_json_is_still_a_parse_error(self):
        with pytest.raises(ParseError):
            parse('{"domain": ')


class TestTheStorabilityCheckIsIterative:
    def test_a_structure_100000_levels_deep_is_walked_without_recursion(self):
        assert _unstorable(lists(100_000, "fine")) is False
        assert _unstorable(lists(100_000, "nul \x00")) is True
        assert _unstorable(lists(100_000, "\ud800")) is True

    def test_deep_objects_are_walked_keys_included(self):
        value: object = "fine"
        for _ in range(100_000):
            value = {"k": value}
        assert _unstorable(value) is False
        assert _unstorable({"\x00": value}) is True
        assert _unstorable([value, {"x": ["\ud800"]}]) is True

    @pytest.mark.parametrize("value", ["text", 1, None, True, [], {}, ["a", {"b": [1.5]}]])
    def test_storable_values_pass(self, value):
        assert _unstorable(value) is False
