"""The app's URL rules compile their url_for builders on first use (emulator.core.routing): the same URLs."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import AnyConverter, PathConverter
from werkzeug.routing import Rule as WerkzeugRule

from emulator.core.routing import Rule


def sample_values(rule) -> dict:
    """A value every converter of ``rule`` accepts, for each of its arguments."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif getattr(converter, "variants", None):  # the voice family's optional .json suffix
            values[name] = converter.variants[-1]
        elif isinstance(converter, PathConverter):
            values[name] = "a/b"
        else:
            values[name] = "x-1"
    return values


def test_every_rule_builds_the_url_werkzeug_builds(app):
    rules = list(app.url_map.iter_rules())
    assert rules and all(isinstance(rule, Rule) for rule in rules)
    for rule in rules:
        values = sample_values(rule)
        for append_unknown, extra in ((False, {}), (True, {"q": "1 2"})):
            eager = WerkzeugRule._compile_builder(rule, append_unknown)  # werkzeug's, compiled now
            assert rule.build({**values, **extra}, append_unknown) == eager(rule, **values, **extra), rule.rule


def test_url_for_works(app):
    with app.test_request_context():
        assert url_for("exophones.exophones_v2_beta.get_exophone", sid="a", exophone_sid="b", x="1") == \
            "/v2_beta/Accounts/a/IncomingPhoneNumbers/b?x=1"


def test_werkzeug_still_asks_for_the_builders_lazily(app):
    # were werkzeug to compile its builders some other way, url_for would still work, but start-up would
    # be ~45 ms slower again: this says so
    rule = next(iter(app.url_map.iter_rules()))
    assert rule._build.__func__.__qualname__ == "Rule._compile_builder.<locals>.build"
