"""The JSON parser every API endpoint uses: DRF's, with a bound on nesting.

Python's JSON decoder recurses once per level, so a body of a few thousand `[`
raises RecursionError (a 500 under DRF's parser). Nothing we accept nests deeper
than a handful of levels, so anything past `MAX_JSON_DEPTH` is a 400."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 64
TOO_DEEP = f"JSON parse error - the body nests deeper than {MAX_JSON_DEPTH} levels"


def json_depth_exceeds(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if `value` nests lists/objects more than `limit` deep. Iterative, so
    it cannot itself run out of stack, and it stops at the first level too deep."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if json_depth_exceeds(data):
            raise ParseError(TOO_DEEP)
        return data
