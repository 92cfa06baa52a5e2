"""Bracket-indexed form fields both ways, and the dispatcher's form-encoded deliveries."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from emulator.core.callbacks import Dispatcher
from emulator.core.clock import Clock
from emulator.core.forms import FormError, flatten, unflatten


def test_indexes_appends_nested_items_and_repeated_names():
    pairs = [("StatusCallbackEvents[1]", "answered"), ("StatusCallbackEvents[0]", "terminal"),
             ("Messages[0][To]", "a"), ("Messages[0][Body]", "x"), ("Messages[1][To]", "b"),
             ("Number[]", "1"), ("Number[]", "2"), ("To", "p"), ("To", "q"), ("From", "f")]
    assert unflatten(pairs) == {"StatusCallbackEvents": ["terminal", "answered"],
                                "Messages": [{"To": "a", "Body": "x"}, {"To": "b"}],
                                "Number": ["1", "2"], "To": ["p", "q"], "From": "f"}


def test_gaps_close_in_index_order():
    assert unflatten([("a[7]", "z"), ("a[2]", "y")]) == {"a": ["y", "z"]}


@pytest.mark.parametrize("pairs", [
    [("a[b", "1")], [("a]", "1")], [("a", "1"), ("a[0]", "2")], [("a[0]", "1"), ("a", "2")],
    [("a[0]", "1"), ("a[x]", "2")], [("a[0]", "1"), ("a[0]", "2")], [("a[1][2][3][4][5]", "1")],
    [("a[100001]", "1")],
    [(None, "1")],  # a multipart part whose name Werkzeug cannot read (name="a\\" escapes its own quote)
])
def test_what_cannot_be_read_is_a_form_error(pairs):
    with pytest.raises(FormError):
        unflatten(pairs)


def test_flatten_is_what_unflatten_reads_back():
    payload = {"CallSid": "c", "Legs": [{"OnCallDuration": 3, "Status": "completed"}, {"Status": None}],
               "Flag": True}
    pairs = flatten(payload)
    assert pairs == [("CallSid", "c"), ("Legs[0][OnCallDuration]", "3"), ("Legs[0][Status]", "completed"),
                     ("Legs[1][Status]", ""), ("Flag", "true")]
    assert unflatten(pairs) == {"CallSid": "c", "Legs": [{"OnCallDuration": "3", "Status": "completed"},
                                                         {"Status": ""}], "Flag": "true"}


@pytest.mark.parametrize("form, content_type", [("urlencoded", "application/x-www-form-urlencoded"),
                                                 ("multipart", "multipart/form-data")])
def test_form_deliveries(listener, form, content_type):
    dispatcher = Dispatcher(Clock(), timeout=1.0, retries=0)
    try:
        dispatcher.send(listener.url, "e", {"A": 1, "Legs": [{"Status": "completed"}]}, form=form)
        [received] = listener.wait(1)
    finally:
        dispatcher.shutdown()
    assert received["headers"]["Content-Type"].startswith(content_type)
    body = received["json"]
    if form == "urlencoded":
        assert parse_qsl(body) == [("A", "1"), ("Legs[0][Status]", "completed")]
    else:
        assert 'name="Legs[0][Status]"' in body and "completed" in body
