"""Severity suggestion by rules (SPEC CL-2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kesu.triage.models import SEVERITY_RANK, Severity, SeverityRule


@dataclass(frozen=True)
class SeveritySuggestion:
    severity: str
    rule: SeverityRule | None
    matched: str = ""


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


# Plain English inflections of a keyword: "sue" also finds "sues" and "sued".
_INFLECTION = r"(?:s|es|d|ed|ing)?"


def _matches(keyword: str, haystack: str) -> bool:
    # Latin keywords match whole words and their plain inflections: "sue" must match neither
    # "issue" nor "suede", "hospital" not "hospitality", "court" not "courteous". CJK anywhere.
    if keyword.isascii() and keyword[:1].isalpha():
        return re.search(r"\b" + re.escape(keyword) + _INFLECTION + r"\b", haystack) is not None
    return keyword in haystack


def suggest_severity(*, text: str, channel: str) -> SeveritySuggestion:
    """The most severe active rule that matches the text or the channel; general otherwise."""
    haystack = _normalise(text)
    best = SeveritySuggestion(Severity.GENERAL, None)
    for rule in SeverityRule.objects.filter(active=True).order_by("code"):
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
