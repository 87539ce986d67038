"""A sandbox for the letter templates administrators edit (SPEC RS-4, SV-3).

Templates use Django's syntax, but only the variables named for their kind of letter, a few
tags (if, for, comment) and a few formatting filters. No `load`, `include`, `extends`, `url`,
`now`… are parsed, so a template cannot reach files, other templates, the clock or the
database. Templates are checked when saved (`template_problems`) and rendered with
`template_render`; the text is plain (no HTML escaping): letters go out as plain e-mail or SMS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django.template import Context, Engine, Library, Template, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, ForNode, IfNode, TemplateLiteral
from django.utils.translation import gettext as _

SAFE_TAGS = ("if", "for", "comment")
SAFE_FILTERS = (
    "date",
    "time",
    "default",
    "default_if_none",
    "upper",
    "lower",
    "capfirst",
    "floatformat",
    "join",
    "length",
    "truncatechars",
    "yesno",
    "first",
    "last",
)

# The library the sandbox engine loads instead of Django's default builtins.
register = Library()
for _tag in SAFE_TAGS:
    register.tags[_tag] = defaulttags.register.tags[_tag]
for _filter in SAFE_FILTERS:
    register.filters[_filter] = defaultfilters.register.filters[_filter]


# Variables every letter may use, and those of each kind (the kinds are LetterKind values).
COMMON_VARIABLES = ("number", "customer_name", "received_at", "title", "company", "hotline", "today")
LETTER_VARIABLES: dict[str, tuple[str, ...]] = {
    "acknowledgement": (*COMMON_VARIABLES, "reply_due", "close_due"),
    "unreachable_sms": (*COMMON_VARIABLES, "respond_by", "wait_days"),
    "apology": (*COMMON_VARIABLES, "cause", "measures"),
    "result": (*COMMON_VARIABLES, "result", "cause", "measures", "improvements", "remedies", "resolved_at"),
    "complaint_record": (
        *COMMON_VARIABLES,
        "contact_phone",
        "contact_email",
        "channel",
        "severity",
        "category",
        "status",
        "description",
        "location",
        "product",
        "order_no",
        "demand",
        "amount_claimed",
        "department",
        "assignee",
        "recorded_by",
        "result",
        "remedies",
        "resolved_at",
    ),
}


class _SandboxEngine(Engine):
    default_builtins: ClassVar[list[str]] = []  # replaces Django's builtins on purpose


_engine: Engine | None = None


def sandbox_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = _SandboxEngine(
            builtins=["kesu.notifications.templating"],
            autoescape=False,
            libraries={},
            loaders=[],
            app_dirs=False,
            debug=False,
            string_if_invalid="",
        )
    return _engine


def template_compile(text: str) -> Template:
    return Template(text, engine=sandbox_engine())


def _names_in_expression(expression: Any) -> Iterable[str]:
    if isinstance(expression.var, Variable) and expression.var.lookups:
        yield expression.var.lookups[0]
    for _func, args in expression.filters:
        for is_lookup, argument in args:
            if is_lookup and isinstance(argument, Variable) and argument.lookups:
                yield argument.lookups[0]


def _names_in_condition(condition: Any) -> Iterable[str]:
    if isinstance(condition, TemplateLiteral):
        yield from _names_in_expression(condition.value)
        return
    for part in (getattr(condition, "first", None), getattr(condition, "second", None)):
        if part is not None:
            yield from _names_in_condition(part)


def _unknown_names(nodes: Any, allowed: frozenset[str]) -> Iterable[str]:
    for node in nodes:
        if isinstance(node, (TextNode, CommentNode)):
            continue
        if isinstance(node, VariableNode):
            yield from (n for n in _names_in_expression(node.filter_expression) if n not in allowed)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                if condition is not None:
                    yield from (n for n in _names_in_condition(condition) if n not in allowed)
                yield from _unknown_names(branch, allowed)
        elif isinstance(node, ForNode):
            yield from (n for n in _names_in_expression(node.sequence) if n not in allowed)
            inner = allowed | frozenset(node.loopvars) | {"forloop"}
            yield from _unknown_names(node.nodelist_loop, inner)
            yield from _unknown_names(node.nodelist_empty, allowed)
        else:  # pragma: no cover - the sandbox library parses no other tag
            yield type(node).__name__


def template_problems(text: str, *, kind: str) -> list[str]:
    """What is wrong with a template of `kind`: a syntax error or the unknown variables, named."""
    allowed = frozenset(LETTER_VARIABLES.get(kind, ()))
    try:
        compiled = template_compile(text)
    except TemplateSyntaxError as error:
        return [_("Template syntax error: %(error)s") % {"error": error}]
    unknown = sorted(set(_unknown_names(compiled.nodelist, allowed)))
    if not unknown:
        return []
    return [
        _("Unknown variable %(names)s; this letter may use: %(allowed)s.")
        % {
            "names": ", ".join(f"{{{{ {name} }}}}" for name in unknown),
            "allowed": ", ".join(LETTER_VARIABLES.get(kind, ())),
        }
    ]


def template_render(text: str, values: Mapping[str, Any]) -> str:
    """Render a checked template with `values` (plain text, no escaping)."""
    return template_compile(text).render(Context(dict(values), autoescape=False)).strip()
