"""The moveOn criteria (cmi5 13.1.4), one function (``learning.services.move_on_met``) for the satisfied statements
and the course progress alike."""

import pytest

from lms.learning.services import move_on_met


@pytest.mark.parametrize("move_on, completed, passed, expected", [
    ("NotApplicable", False, False, True),
    ("Completed", True, False, True),
    ("Completed", False, True, False),
    ("Passed", False, True, True),
    ("Passed", True, False, False),
    ("CompletedAndPassed", True, False, False),
    ("CompletedAndPassed", False, True, False),
    ("CompletedAndPassed", True, True, True),
    ("CompletedOrPassed", True, False, True),
    ("CompletedOrPassed", False, True, True),
    ("CompletedOrPassed", False, False, False),
    ("Sometimes", True, True, False),
])
def test_move_on_is_met_exactly_as_the_spec_says(move_on, completed, passed, expected):
    assert move_on_met(move_on, completed, passed) is expected
