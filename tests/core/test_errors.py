"""error_text: what went wrong, in one line, for a page, a task's report or the command line."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from marsad.core.errors import error_text


def test_a_validation_error_gives_each_message_once_in_one_line():
    error = ValidationError(
        {"quota": ["Give a whole number."], "areas": ["Choose at least one area."]}
    )
    assert error_text(error) == "Give a whole number. Choose at least one area."


def test_a_validation_error_with_parameters_fills_them():
    error = ValidationError("Plan %(code)s is closed.", params={"code": "PHSS-BA-2026-R1"})
    assert error_text(error) == "Plan PHSS-BA-2026-R1 is closed."


def test_other_errors_give_their_own_text():
    assert error_text(PermissionDenied("Only a supervisor may do this.")) == (
        "Only a supervisor may do this."
    )
    assert error_text(IntegrityError("duplicate key")) == "duplicate key"
