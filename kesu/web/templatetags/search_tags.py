"""The highlighted snippet of a search result (kesu.complaints.search.highlight)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kesu.complaints.models import Complaint
from kesu.complaints.search import highlight, parse_terms

register = template.Library()

# Where a snippet is taken from, in this order; the subject line always shows.
SNIPPET_FIELDS = ("description", "demand", "result", "location", "product_name")


@register.simple_tag
def search_snippet(complaint: Complaint, q: str) -> SafeString:
    """The subject with the searched words marked, and a snippet of the first other field that has
    them (everything escaped; only the <mark> around the matched words is markup)."""
    title = complaint.title or ""
    subject = highlight(title, q, width=50) if title else SafeString("")
    body = SafeString("")
    loaded = complaint.get_deferred_fields()
    for name in SNIPPET_FIELDS:
        text = "" if name in loaded else str(getattr(complaint, name) or "")
        if text and _has_match(text, q):
            body = highlight(text, q, width=80)
            break
    if not title and not body:
        subject = highlight(complaint.description or "", q, width=50)
    if body:
        return format_html('{}<br><span class="snippet">{}</span>', subject, body)
    return subject


def _has_match(text: str, q: str) -> bool:
    return "<mark>" in highlight(text, q, width=len(text) + 1) if parse_terms(q) else False
