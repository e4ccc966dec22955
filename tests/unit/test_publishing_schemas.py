"""The answer to a query on a figure: one schema, one message per broken rule."""

import pytest
from marshmallow import ValidationError

from bench import messages
from bench.publishing.schemas import RESPONSE_MAX, QueryResponseSchema


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"response": "x" * (RESPONSE_MAX + 1)}, "Your answer must be 2000 characters or fewer"),
        ({"response": " " * (RESPONSE_MAX + 1)}, messages.QUERY_RESPONSE_REQUIRED),
        ({"response": "  \n "}, messages.QUERY_RESPONSE_REQUIRED),
        ({"response": ""}, messages.QUERY_RESPONSE_REQUIRED),
        ({"response": None}, messages.QUERY_RESPONSE_REQUIRED),
        ({}, messages.QUERY_RESPONSE_REQUIRED),
    ],
)
def test_each_broken_rule_has_its_own_message(data, message):
    with pytest.raises(ValidationError) as raised:
        QueryResponseSchema().load(data)
    assert raised.value.messages["response"][0] == message


def test_an_answer_up_to_the_limit_is_kept_trimmed():
    assert QueryResponseSchema().load({"response": " " + "y" * RESPONSE_MAX + " "}) == {
        "response": "y" * RESPONSE_MAX
    }
