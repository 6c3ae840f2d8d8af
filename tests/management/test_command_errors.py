"""api.commands.command_errors: the one conversion of a service's refusal into
the CommandError every operator command reports."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError

from api.commands import command_errors
from api.errors import ServiceError


def raised_inside(exc: Exception) -> BaseException:
    with pytest.raises(BaseException) as caught, command_errors():
        raise exc
    return caught.value


def test_a_validation_error_becomes_its_messages_joined_by_spaces():
    error = raised_inside(ValidationError(["Team name can't be blank.", "And more."]))
    assert isinstance(error, CommandError)
    assert str(error) == "Team name can't be blank. And more."


def test_a_service_error_becomes_its_message():
    error = raised_inside(ServiceError("Site could not be found"))
    assert isinstance(error, CommandError)
    assert str(error) == "Site could not be found"


def test_the_original_is_not_chained_so_no_traceback_shows_it():
    error = raised_inside(ServiceError("refused"))
    assert error.__cause__ is None and error.__suppress_context__


@pytest.mark.parametrize("exc", [CommandError("as it is"), KeyError("a bug")])
def test_anything_else_passes_through_unchanged(exc):
    assert raised_inside(exc) is exc


def test_nothing_happens_without_an_error():
    with command_errors():
        result = 1 + 1
    assert result == 2
