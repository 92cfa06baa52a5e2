"""URL rules whose URL builders are compiled when a URL is first built, not when the rule is added.

For every rule added to a map, werkzeug writes two Python functions that build the rule's URL (for
``url_for``) as an AST and compiles them: about 0.5 ms a rule, some 45 ms of start-up for the app's ~90
rules, and nothing in the emulator builds URLs to answer a request. Matching is unchanged: the regexes
that route requests are compiled when the rule is added, as before.
"""

from __future__ import annotations

from typing import Any, Callable

from werkzeug.routing import Rule as WerkzeugRule


class Rule(WerkzeugRule):
    """The app's ``url_rule_class``: werkzeug's rule, with its URL builders compiled on first use."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        # werkzeug's own (internal) step of ``Rule.compile``, which binds what this returns to the rule.
        # Should a werkzeug release stop calling it, this is simply never called and the builders are
        # compiled at once, as before: slower to start, never wrong (tests/core/test_routing.py says so).
        compile_now = super()._compile_builder
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: WerkzeugRule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            if not compiled:
                # no lock needed: two threads building at once both compile the same function, and
                # either one serves
                compiled.append(compile_now(append_unknown))
            return compiled[0](rule, *args, **kwargs)

        return build
