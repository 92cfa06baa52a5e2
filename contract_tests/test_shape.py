"""The comparison every contract test relies on: it must fail on each kind of difference from the page."""

from __future__ import annotations

import pytest

from contract_tests.conftest import in_documented_order, same_shape

DOCUMENTED = {"a": 1, "b": {"c": "x", "d": [{"e": True, "f": None}]}}


def test_the_documented_example_itself_passes():
    same_shape({"a": 2, "b": {"c": "y", "d": [{"e": False, "f": 3}, {"e": True, "f": "z"}]}}, DOCUMENTED)


@pytest.mark.parametrize("actual", [
    {"b": {"c": "x", "d": []}, "a": 1},  # keys out of the documented order
    {"a": 1, "b": {"d": [], "c": "x"}},  # nested keys out of order
    {"a": 1, "b": {"c": "x", "d": [{"f": None, "e": True}]}},  # an array item's keys out of order
    {"a": 1},  # a key missing
    {"a": 1, "b": {"c": "x", "d": []}, "g": 0},  # a key the page does not have
    {"a": "1", "b": {"c": "x", "d": []}},  # a string for a number
    {"a": True, "b": {"c": "x", "d": []}},  # a boolean is not a number
    {"a": 1, "b": {"c": "x", "d": {}}},  # an object for an array
])
def test_each_difference_fails(actual):
    with pytest.raises(AssertionError):
        same_shape(actual, DOCUMENTED)


def test_in_documented_order_fixes_only_the_order():
    reordered = {"b": {"d": [{"f": None, "e": True}], "c": "x"}, "a": 1}
    same_shape(in_documented_order(reordered, DOCUMENTED), DOCUMENTED)
    with pytest.raises(AssertionError):  # a key the page does not have still fails
        same_shape(in_documented_order(dict(reordered, g=0), DOCUMENTED), DOCUMENTED)
    with pytest.raises(AssertionError):  # and so does a missing one
        same_shape(in_documented_order({"b": reordered["b"]}, DOCUMENTED), DOCUMENTED)


def test_an_optional_key_may_be_absent_but_not_out_of_place():
    same_shape({"b": {"c": "y", "d": []}}, DOCUMENTED, optional=frozenset({"a"}))
    with pytest.raises(AssertionError):  # present, it keeps its documented place
        same_shape({"b": {"c": "y", "d": []}, "a": 1}, DOCUMENTED, optional=frozenset({"a"}))
    with pytest.raises(AssertionError):  # another key is no less required
        same_shape({"a": 1}, DOCUMENTED, optional=frozenset({"a"}))


def test_an_open_object_holds_at_least_the_documented_keys_in_any_order():
    same_shape({"a": 1, "b": {"d": [{"f": None, "e": True, "x": 0}], "c": "x", "y": 1}}, DOCUMENTED,
               open=frozenset({"b", "b.d[]"}))
    with pytest.raises(AssertionError):  # a documented key missing
        same_shape({"a": 1, "b": {"d": [], "y": 1}}, DOCUMENTED, open=frozenset({"b"}))
    with pytest.raises(AssertionError):  # an object not named open stays closed
        same_shape({"a": 1, "b": {"c": "x", "d": []}, "z": 1}, DOCUMENTED, open=frozenset({"b"}))
