"""Error messages that carry no input values: no personal data, no unbounded echo.

graphql-core writes the offending input into its coercion and validation messages: `Expected
value of type 'CreateHouseholdInput' not to include unknown field 'x'. Found: {'headName': …}`
put a household's name, address and phone into the answer and the log, and a 5 MB field name
made a 5 MB message. Every GraphQL error passes `safe_message` before it is logged or answered: the
echoed value is dropped (the path to it and the reason stay), and whatever the client named
(field, argument, variable, operation) is cut to `ECHO_LIMIT` characters.
"""

from __future__ import annotations

import re

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

ECHO_LIMIT = 100  # characters of any client-supplied name kept in a message
MESSAGE_LIMIT = 600  # a message never grows beyond this, whatever the input

# graphql-core (3.3) ends its coercion and literal messages with the value: `…, found: {…}.` or
# `….Did you mean 'x'? Found: {…}.`; a scalar's own error can quote it too
# (`…, but encountered error 'Invalid isoformat string: …'; found: …`).
_VALUE_ECHOES = (
    (re.compile(r", but encountered error .*'; (found|Found)", re.DOTALL), r"; \1"),
    (re.compile(r"\b(found|Found): .*$", re.DOTALL), r"\1: (value not shown)."),
    (re.compile(r"(cannot represent [^:]{0,60}value): .*$", re.DOTALL), r"\1 (not shown)."),
    (
        re.compile(r"\bValue .* (does not exist in '[^']*' enum)", re.DOTALL),
        r"Value (not shown) \1",
    ),
)
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"", re.DOTALL)


def _cut(match: re.Match[str]) -> str:
    quote = "'" if match.group(1) is not None else '"'
    text = match.group(1) if match.group(1) is not None else match.group(2)
    if len(text) > ECHO_LIMIT:
        text = text[:ECHO_LIMIT] + "…"
    return f"{quote}{text}{quote}"


def safe_message(message: str) -> str:
    """`message` without input values and with every quoted name cut to `ECHO_LIMIT`."""
    for pattern, replacement in _VALUE_ECHOES:
        message = pattern.sub(replacement, message)
    message = _QUOTED.sub(_cut, message)
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT] + "…"
    return message


def make_safe(error: GraphQLError) -> GraphQLError:
    """Rewrite `error`'s message in place (its locations and path stay) and return it."""
    error.message = safe_message(error.message)
    if error.args:
        error.args = (error.message, *error.args[1:])
    # The log prints the original error too (its message is the unsafe one).
    if isinstance(error.original_error, GraphQLError) and error.original_error is not error:
        make_safe(error.original_error)
    return error


class SafeErrorsSchema(strawberry.Schema):
    """A Schema whose errors are made safe before they are logged or answered (strawberry
    logs each error with its message; the same error objects then form the response)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            make_safe(error)
        super().process_errors(errors, execution_context)
