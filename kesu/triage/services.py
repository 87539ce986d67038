"""Severity suggestion by rules (SPEC CL-2)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kesu.core.reference import remembered
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


@functools.lru_cache(maxsize=8192)
def _keyword_matcher(keyword: str) -> tuple[str, re.Pattern[str] | None]:
    """The keyword normalised, and for a Latin one its whole-word pattern (built once per keyword:
    every complaint registered is matched against every rule's keywords)."""
    normalised = normalise(keyword)
    # Latin keywords match whole words and their plain inflections: "sue" must match neither
    # "issue" nor "suede", "hospital" not "hospitality", "court" not "courteous". CJK anywhere.
    if normalised.isascii() and normalised[:1].isalpha():
        # Boundaries are Latin letters and digits only: "放到youtube上" has YouTube as a word.
        return normalised, re.compile(r"(?<![a-z0-9])" + re.escape(normalised) + _INFLECTION + r"(?![a-z0-9])")
    return normalised, None


def _matches(keyword: str, haystack: str) -> bool:
    # "a+b": every part somewhere in the text (吃+住院: ate something, then hospital).
    if "+" in keyword and keyword.strip("+") and keyword not in haystack:
        return all(_matches(part.strip(), haystack) for part in keyword.split("+") if part.strip())
    normalised, pattern = _keyword_matcher(keyword)
    if pattern is not None:
        return pattern.search(haystack) is not None
    return normalised in haystack


def suggest_severity(*, text: str, channel: str) -> SeveritySuggestion:
    """The most severe active rule that matches the text or the channel; general otherwise."""
    rules = remembered("triage.severity_rules", lambda: list(SeverityRule.objects.filter(active=True).order_by("code")))
    return match_rules(rules, text=text, channel=channel)


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


_Matchers = tuple[frozenset[str], tuple[tuple[str, str | None, re.Pattern[str] | None], ...]]


def _rule_matchers(rule: SeverityRule) -> _Matchers:
    """The rule's channels and its keywords, each normalised (with its pattern) as `_matches` reads
    it: worked out once per rule instance and kept on it while its texts stay the same (every
    complaint registered, and every row of a bulk import, is matched against every rule)."""
    source = (rule.keywords_zh_hans, rule.keywords_zh_hant, rule.keywords_en, rule.channels)
    cached = rule.__dict__.get("_kesu_matchers")
    if cached is not None and cached[0] == source:
        return cached[1]  # type: ignore[no-any-return]
    keywords: list[tuple[str, str | None, re.Pattern[str] | None]] = []
    for keyword in rule.keywords():
        if "+" in keyword and keyword.strip("+"):
            keywords.append((keyword, None, None))  # "a+b": `_matches` reads its parts
            continue
        normalised, pattern = _keyword_matcher(keyword)
        keywords.append((keyword, normalised, pattern))
    matchers: _Matchers = (frozenset(rule.channel_codes()), tuple(keywords))
    rule.__dict__["_kesu_matchers"] = (source, matchers)
    return matchers


def match_rules(rules: Iterable[SeverityRule], *, text: str, channel: str) -> SeveritySuggestion:
    """The most severe of `rules` that matches the text or the channel; general otherwise."""
    haystack = _normalise(text)
    best = SeveritySuggestion(Severity.GENERAL, None)
    for rule in rules:
        matched = ""
        channels, keywords = _rule_matchers(rule)
        if channel in channels:
            matched = f"channel:{channel}"
        else:
            for keyword, normalised, pattern in keywords:
                if pattern is not None:
                    hit = pattern.search(haystack) is not None
                elif normalised is not None:
                    hit = normalised in haystack
                else:
                    hit = _matches(keyword, haystack)
                if hit:
                    matched = keyword
                    break
        more_severe = SEVERITY_RANK[Severity(rule.severity)] > SEVERITY_RANK[Severity(best.severity)]
        if matched and (best.rule is None or more_severe):
            best = SeveritySuggestion(rule.severity, rule, matched)
    return best
