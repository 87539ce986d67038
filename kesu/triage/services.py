"""Severity suggestion by rules (SPEC CL-2)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kesu.triage.models import SEVERITY_RANK, Severity, SeverityRule
from kesu.triage.text import normalise


@dataclass(frozen=True)
class SeveritySuggestion:
    severity: str
    rule: SeverityRule | None
    matched: str = ""


def _normalise(text: str) -> str:
    # Full-width folded, lower case, traditional → simplified: 起訴 finds the rule's 起诉.
    return normalise(text)


# Plain English inflections of a keyword: "sue" also finds "sues" and "sued".
_INFLECTION = r"(?:s|es|d|ed|ing)?"


def _matches(keyword: str, haystack: str) -> bool:
    # "a+b": every part somewhere in the text (吃+住院: ate something, then hospital).
    if "+" in keyword and keyword.strip("+") and keyword not in haystack:
        return all(_matches(part.strip(), haystack) for part in keyword.split("+") if part.strip())
    keyword = normalise(keyword)
    # Latin keywords match whole words and their plain inflections: "sue" must match neither
    # "issue" nor "suede", "hospital" not "hospitality", "court" not "courteous". CJK anywhere.
    if keyword.isascii() and keyword[:1].isalpha():
        # Boundaries are Latin letters and digits only: "放到youtube上" has YouTube as a word.
        pattern = r"(?<![a-z0-9])" + re.escape(keyword) + _INFLECTION + r"(?![a-z0-9])"
        return re.search(pattern, haystack) is not None
    return keyword in haystack


def suggest_severity(*, text: str, channel: str) -> SeveritySuggestion:
    """The most severe active rule that matches the text or the channel; general otherwise."""
    return match_rules(SeverityRule.objects.filter(active=True).order_by("code"), text=text, channel=channel)


def seed_rules() -> list[SeverityRule]:
    """The shipped rules as unsaved rows (for the evaluation, which needs no database)."""
    from kesu.triage.seed import SEVERITY_RULES

    return [
        SeverityRule(
            code=r["code"],
            name=r["name"],
            severity=r["severity"],
            keywords_zh_hans=r["zh_hans"],
            keywords_zh_hant=r["zh_hant"],
            keywords_en=r["en"],
            channels=r["channels"],
        )
        for r in sorted(SEVERITY_RULES, key=lambda r: str(r["code"]))
    ]


def match_rules(rules: Iterable[SeverityRule], *, text: str, channel: str) -> SeveritySuggestion:
    """The most severe of `rules` that matches the text or the channel; general otherwise."""
    haystack = _normalise(text)
    best = SeveritySuggestion(Severity.GENERAL, None)
    for rule in rules:
        matched = ""
        if channel in rule.channel_codes():
            matched = f"channel:{channel}"
        else:
            for keyword in rule.keywords():
                if _matches(keyword, haystack):
                    matched = keyword
                    break
        more_severe = SEVERITY_RANK[Severity(rule.severity)] > SEVERITY_RANK[Severity(best.severity)]
        if matched and (best.rule is None or more_severe):
            best = SeveritySuggestion(rule.severity, rule, matched)
    return best
