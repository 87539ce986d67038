"""How a complaint is found by `q` (the API's list and the workspace's search box).

Two ways, either of which finds it:
- **exact keys**, each served by an index: the number, the phone (full, or its last 4 or more
  digits, as a prefix of the reversed digits), the e-mail, the order and lot numbers, the
  customer's name;
- **full text** of the title, description, demand, location, product, result, the investigation's
  findings and the notes. Text is normalised (full-width → half-width, lower case, traditional →
  simplified with OpenCC) and cut into tokens: every character bigram of a run of Chinese (so a
  two-character term such as 退款 is one token and any longer term a phrase of adjacent bigrams,
  whatever the segmentation), jieba's search-mode words (which rank a real word above a chance
  pair of characters), and the words of other scripts. The tokens are stored as text in
  `Complaint.search_text`; PostgreSQL indexes them as `tsvector('simple')` in the table
  `ComplaintSearch` (GIN index; kept in step by a trigger when the text is written, so the
  complaint's other updates never touch it), SQLite in the FTS5 table `complaint_fts`
  (rowid = complaint id).

The index is written explicitly, in the transaction of the write, by `complaint_reindex` (every
service that changes a searchable field calls it), so it is rolled back with the write.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import Case, CharField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat, NullIf, StrIndex
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from kesu.complaints.models import Complaint

MIN_PHONE_DIGITS = 4
MAX_TERMS = 8
# Relevance is computed for the best this many text matches (a frequent two-character word can
# match a third of all complaints); the rest follow newest first.
RANKED = 200
# ...chosen among the newest this many matches of the text (bounds the work for frequent words:
# each ranked match's vector is read and decompressed).
RANK_WINDOW = 1000
# With `q` the list counts its matches up to here; beyond, the count is a lower bound and
# `count_exact` false (docs/README.md, "Listing"), as the queues count (kesu.web.selectors).
COUNT_CAP = 1000
# Where the newest matches are looked for first: the last week, then the last quarter,
# then all the rest, each only when the spans before hold too few. A frequent word's newest
# matches are then read from a week of complaints (the GIN index AND the received_at index), not
# from the hundreds of thousands it matches. The spans bound the work, never the result.
RECENT_SPANS = (7, 90)  # days
FTS_TABLE = "complaint_fts"
_PHONE_PUNCTUATION = re.compile(r"[\s\-().+]")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<word>[^\W_{_HAN}]+)")


# --- normalising and cutting text ----------------------------------------------------------


@functools.cache
def _converter() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


@functools.cache
def _traditional_characters() -> frozenset[str]:
    """Every character OpenCC's t2s dictionaries may change: text without any is left alone
    (conversion is the slow part of indexing, and most complaints are written in simplified)."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    chars: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, _sep, values = line.partition("\t")
            if key and values.split(" ")[0] != key:
                chars.update(key)
    return frozenset(chars)


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, traditional → simplified."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    traditional = _traditional_characters()
    if any(ch in traditional for ch in text):
        text = str(_converter().convert(text))
    return text


@functools.cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str) -> list[str]:
    """The index tokens of one (normalised) text: bigrams and other words in reading order (so a
    phrase of bigrams matches adjacent ones), then jieba's words of three characters or more, and
    its two-character words once more (a word counts above a chance pair)."""
    stream: list[str] = []
    words: list[str] = []
    for match in _RUNS.finditer(text):
        han = match.group("han")
        if han is None:
            stream.append(match.group("word"))
            continue
        stream.extend(_bigrams(han))
        if len(han) > 2:
            words.extend(_search_words(han))
    return stream + words


@functools.lru_cache(maxsize=1 << 16)
def _search_words(han: str) -> tuple[str, ...]:
    """jieba's search-mode words of two characters or more in one run of Chinese. Kept per run:
    segmentation is most of the cost of indexing, and runs (the text between two punctuation
    marks: 质量太差, 要求退款, 客服态度不好) recur from one complaint to the next."""
    return tuple(w for w in _jieba().cut_for_search(han, HMM=False) if len(w) >= 2)


def search_document(
    *,
    title: str = "",
    description: str = "",
    demand: str = "",
    location: str = "",
    product: str = "",
    sku: str = "",
    result: str = "",
    name: str = "",
    number: str = "",
    external_ref: str = "",
    findings: Iterable[str] = (),
    notes: Iterable[str] = (),
) -> str:
    """The tokens of every searchable field; the title counts twice (a match there ranks higher)."""
    before = _document_tokens(_leading_parts(title, description, demand, location, product, sku, result, name))
    after = _document_tokens([external_ref, *findings, *notes])
    return join_document(before, number_tokens(number), after)


def _leading_parts(*texts: str) -> list[str]:
    title, *rest = texts
    title = normalise(title)
    return [title, title, *rest]


def _document_tokens(parts: Iterable[str]) -> str:
    return " ".join(token for part in parts if part for token in tokens(normalise(part)))


def number_tokens(number: str) -> str:
    """The tokens of a complaint number in its search document."""
    return _document_tokens([number])


def join_document(before: str, number: str, after: str) -> str:
    """A search document from the tokens before the number, the number's and those after it."""
    return " ".join(piece for piece in (before, number, after) if piece)


def search_document_halves(
    *,
    title: str = "",
    description: str = "",
    demand: str = "",
    location: str = "",
    product: str = "",
    sku: str = "",
    result: str = "",
    name: str = "",
    external_ref: str = "",
) -> tuple[str, str]:
    """`search_document` of a complaint not numbered yet (no findings, no notes), as the tokens
    before and after its number: `join_document(before, number_tokens(number), after)` is the
    document, for a caller that numbers many complaints after cutting their texts (the bulk
    import, kesu/imports/bulk.py)."""
    before = _document_tokens(_leading_parts(title, description, demand, location, product, sku, result, name))
    return before, _document_tokens([external_ref])


def build_search_text(complaint: Complaint, *, notes: Iterable[str] = (), findings: Iterable[str] = ()) -> str:
    """The search document of a complaint (with its notes and investigation findings)."""
    return search_document(
        title=complaint.title,
        description=complaint.description,
        demand=complaint.demand,
        location=complaint.location,
        product=complaint.product_name,
        sku=complaint.product_sku,
        result=complaint.result,
        name=complaint.contact_name,
        number=complaint.number,
        external_ref=complaint.external_ref,
        findings=findings,
        notes=notes,
    )


def phone_key(phone: str | None) -> str:
    """The digits of a stored (E.164) phone, reversed: its last digits become a key prefix."""
    return "".join(ch for ch in (phone or "") if ch.isdigit())[::-1]


def index_for_search(complaint: Complaint, *, notes: Iterable[str] = (), findings: Iterable[str] = ()) -> None:
    """Fill the columns `q` finds the complaint by, before it is saved (intake: no notes yet)."""
    complaint.search_text = build_search_text(complaint, notes=notes, findings=findings)
    complaint.phone_key = phone_key(complaint.contact_phone)


def _texts_of(complaint_id: int) -> tuple[list[str], list[str]]:
    from kesu.complaints.models import ComplaintEvent
    from kesu.complaints.services.notes import NOTE_KIND
    from kesu.resolution.models import Investigation

    notes = list(
        ComplaintEvent.objects.filter(complaint_id=complaint_id, kind=NOTE_KIND)
        .order_by("at", "id")
        .values_list("note", flat=True)
    )
    findings: list[str] = []
    for row in Investigation.objects.filter(complaint_id=complaint_id).values_list("findings", "root_cause"):
        findings.extend(text for text in row if text)
    return notes, findings


def complaint_reindex(complaint: Complaint) -> None:
    """Write the complaint's search columns (and, on SQLite, its FTS5 row) from what is stored now:
    call it inside the transaction of any write to a searchable field, after the write."""
    from kesu.complaints.models import Complaint

    notes, findings = _texts_of(complaint.pk)
    index_for_search(complaint, notes=notes, findings=findings)
    Complaint.objects.filter(pk=complaint.pk).update(search_text=complaint.search_text, phone_key=complaint.phone_key)
    write_fts([(complaint.pk, complaint.search_text)])


def write_fts(rows: Sequence[tuple[int, str]]) -> None:
    """SQLite: replace the FTS5 rows of these complaints (PostgreSQL's tsvector is a generated
    column of `search_text`, written with the row)."""
    from django.db import connection

    if connection.vendor != "sqlite" or not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany("DELETE FROM complaint_fts WHERE rowid = %s", [(pk,) for pk, _text in rows])
        cursor.executemany("INSERT INTO complaint_fts (rowid, document) VALUES (%s, %s)", list(rows))


def sync_inserted(complaint: Complaint) -> None:
    """After a complaint row is inserted with `search_text` filled (intake): its FTS5 row."""
    write_fts([(complaint.pk, complaint.search_text)])


# --- the query ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One thing all results contain: any of `phrases` (each a run of adjacent tokens); `prefix`
    when the last token may be the start of a longer one."""

    phrases: tuple[tuple[str, ...], ...]
    prefix: bool = False


def parse_terms(q: str) -> list[Term]:
    """The terms of `q`: every run of Chinese and every word of another script, normalised."""
    terms: list[Term] = []
    for match in _RUNS.finditer(normalise(q)):
        han, word = match.group("han"), match.group("word")
        if han is not None and len(han) == 1:
            terms.append(Term(((han,),), prefix=True))
        elif han is not None:
            phrase = tuple(_bigrams(han))
            terms.append(Term((phrase, (han,)) if len(han) > 2 else (phrase,)))
        else:
            terms.append(Term(((word,),), prefix=len(word) >= 3 and not word.isdigit()))
        if len(terms) >= MAX_TERMS:
            break
    return terms


def _pg_query(terms: Sequence[Term]) -> str:
    groups = []
    for term in terms:
        alternatives = []
        for phrase in term.phrases:
            lexemes = [f"'{token}'" for token in phrase]
            if term.prefix:
                lexemes[-1] += ":*"
            alternatives.append(" <-> ".join(lexemes))
        groups.append("(" + " | ".join(alternatives) + ")")
    return " & ".join(groups)


def _fts_query(terms: Sequence[Term]) -> str:
    groups = []
    for term in terms:
        alternatives = ['"' + " ".join(phrase) + '"' + (" *" if term.prefix else "") for phrase in term.phrases]
        groups.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(groups)


def _text_match_sql(terms: Sequence[Term]) -> tuple[str, list[str]]:
    """A subquery of the ids of the complaints whose text contains every term."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return (
            "SELECT complaint_id FROM complaints_complaintsearch WHERE vector @@ to_tsquery('simple', %s)",
            [_pg_query(terms)],
        )
    return "SELECT rowid FROM complaint_fts WHERE complaint_fts MATCH %s", [_fts_query(terms)]


def complaint_text_q(q: str) -> Q:
    """Every term of `q` is in the complaint's text (no term at all: nothing matches by text)."""
    terms = parse_terms(q)
    if not terms:
        return Q(pk__in=[])
    sql, params = _text_match_sql(terms)
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611 (fixed SQL; the query string is a parameter)


def best_text_matches(q: str) -> list[int]:
    """The ids of the most relevant text matches, best first (BM25 on SQLite, ts_rank on
    PostgreSQL; the title counts twice), among the newest RANK_WINDOW matches."""
    from django.db import connection

    terms = parse_terms(q)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        sql = (
            "SELECT complaint_id FROM (SELECT complaint_id, received_at, vector FROM complaints_complaintsearch "
            "WHERE vector @@ to_tsquery('simple', %s) ORDER BY received_at DESC, complaint_id DESC LIMIT %s) m "
            "ORDER BY ts_rank(vector, to_tsquery('simple', %s)) DESC, received_at DESC, complaint_id DESC LIMIT %s"
        )
        params: list[Any] = [_pg_query(terms), RANK_WINDOW, _pg_query(terms), RANKED]
    else:
        # bm25() needs the MATCH of the same statement; the window keeps the newest, and equal
        # ranks go newest first, as on PostgreSQL (and in search_page).
        sql = (
            "SELECT id FROM (SELECT c.id, c.received_at, complaint_fts.rank AS score FROM complaint_fts "
            "JOIN complaints_complaint c ON c.id = complaint_fts.rowid WHERE complaint_fts MATCH %s "
            "ORDER BY c.received_at DESC, c.id DESC LIMIT %s) ORDER BY score, received_at DESC, id DESC LIMIT %s"
        )
        params = [_fts_query(terms), RANK_WINDOW, RANKED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _after(prefix: str) -> str | None:
    """The smallest digit string greater than every string starting with `prefix` ("1239" → "124")."""
    digits = prefix.rstrip("9")
    if not digits:
        return None
    return digits[:-1] + str(int(digits[-1]) + 1)


def phone_q(typed: str) -> Q | None:
    """A phone typed in full (13812345678, +86 138-1234-5678) or its last 4 or more digits."""
    digits = _PHONE_PUNCTUATION.sub("", typed)
    if len(digits) < MIN_PHONE_DIGITS or not digits.isdigit():
        return None
    prefix = digits[::-1]
    upper = _after(prefix)
    if upper is None:
        return Q(phone_key__gte=prefix, phone_key__startswith=prefix, phone_key__gt="")
    # A range rather than LIKE 'prefix%': the index answers it on SQLite and PostgreSQL alike
    # (`> ''` names the condition of the partial index).
    return Q(phone_key__gte=prefix, phone_key__lt=upper, phone_key__gt="")


def email_q(typed: str) -> Q | None:
    from kesu.customers.models import Customer
    from kesu.customers.services import normalize_email

    if "@" not in typed:
        return None
    try:
        email = normalize_email(typed)
    except ValueError:
        return None
    return Q(contact_email=email, contact_email__gt="") | Q(
        customer_id__in=Customer.objects.filter(email=email).values("pk")
    )


def complaint_key_q(q: str) -> Q:
    """The exact keys `q` may be: the number, a phone or its last digits, an e-mail, an order or
    lot number, the customer's name as given."""
    typed = q.strip()
    # `> ''` names the condition of each key's partial index (kesu.complaints.models).
    keys = (
        Q(number=typed)
        | Q(order_no__in={typed, typed.upper()}, order_no__gt="")
        | Q(product_lot__in={typed, typed.upper()}, product_lot__gt="")
        | Q(contact_name=typed, contact_name__gt="")
    )
    for extra in (phone_q(typed), email_q(typed)):
        if extra is not None:
            keys |= extra
    return keys


def complaint_search_q(q: str) -> Q:
    """What `q` matches: any exact key, or every term of the text. One `id IN (… UNION ALL …)`:
    each part is answered from its index (an OR of the parts lets SQLite's planner scan the table
    instead, 2 s at 100,000 complaints)."""
    from kesu.complaints.models import Complaint

    typed = q.strip()
    if not typed:
        return Q()
    keys = Complaint.objects.filter(complaint_key_q(typed)).order_by().values("pk")  # no order: the indexes answer
    keys_sql, keys_params = keys.query.sql_with_params()
    terms = parse_terms(typed)
    if not terms:
        return Q(pk__in=RawSQL(keys_sql, keys_params))  # noqa: S611 (compiled by the ORM)
    text_sql, text_params = _text_match_sql(terms)
    sql = f"SELECT * FROM ({keys_sql}) keyed UNION ALL {text_sql}"  # noqa: S608 (both parts compiled SQL)
    return Q(pk__in=RawSQL(sql, [*keys_params, *text_params]))  # noqa: S611 (compiled by the ORM; fixed SQL)


def search_rank(q: str) -> Case:
    """Exact key matches first (0), then text matches (1)."""
    return Case(When(complaint_key_q(q), then=Value(0)), default=Value(1), output_field=IntegerField())


def text_rank(q: str) -> NullIf:
    """The place of a text match among the best (`best_text_matches`), smaller first; NULL for the
    other matches. One position lookup in a constant list: an expression the same size whatever
    the list (a CASE per id costs more to build than the query takes to run)."""
    best = best_text_matches(q)
    places = "," + ",".join(str(pk) for pk in best) + ","
    key = Concat(Value(","), Cast("pk", output_field=CharField()), Value(","), output_field=CharField())
    return NullIf(StrIndex(Value(places), key), Value(0))


# --- one page of a search, with its count, in one statement ------------------------------------


@dataclass(frozen=True)
class SearchPage:
    """The ids of one page of matches in order, and how many match (exact, or a lower bound)."""

    ids: list[int]
    count: int
    exact: bool


_NEWEST = ("-received_at", "-id")


def _compiled(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _text_levels(rows: QuerySet[Complaint], terms: Sequence[Term], *, now: dt.datetime, wanted: int) -> list[Any]:
    """The newest `wanted` text matches among `rows`, as SELECTs of (id, received_at), one per
    span of RECENT_SPANS and one for the rest, newest span first. PostgreSQL finds the terms and
    the span in ComplaintSearch (the GIN index and its received_at index, combined), SQLite the
    terms in FTS5; then the rows are read by id."""
    from django.db import connection

    levels: list[Any] = []
    newer: dt.datetime | None = None
    bounds: list[tuple[dt.datetime | None, dt.datetime | None]] = []
    for days in RECENT_SPANS:
        start = now - dt.timedelta(days=days)
        bounds.append((start, newer))
        newer = start
    bounds.append((None, newer))
    for since, before in bounds:
        span = rows
        if since is not None:
            span = span.filter(received_at__gte=since)
        if before is not None:
            span = span.filter(received_at__lt=before)
        if connection.vendor == "postgresql":
            sql = "SELECT complaint_id FROM complaints_complaintsearch WHERE vector @@ to_tsquery('simple', %s)"
            params: list[Any] = [_pg_query(terms)]
            if since is not None:
                sql, params = sql + " AND received_at >= %s", [*params, since]
            if before is not None:
                sql, params = sql + " AND received_at < %s", [*params, before]
        else:
            sql, params = "SELECT rowid FROM complaint_fts WHERE complaint_fts MATCH %s", [_fts_query(terms)]
        text = span.filter(pk__in=RawSQL(sql, params))  # noqa: S611 (fixed SQL; the terms are parameters)
        levels.append(text.order_by(*_NEWEST).values("id", "received_at")[:wanted])
    return levels


def search_page(
    rows: QuerySet[Complaint], q: str, *, now: dt.datetime, offset: int, limit: int, by_relevance: bool = True
) -> SearchPage:
    """One page of what `q` matches among `rows` (visible and filtered, kesu.complaints.selectors),
    in the list's order: by relevance, exact keys first, then the best text matches (ts_rank or
    BM25 among the newest RANK_WINDOW visible text matches, the best RANKED of them), then the
    rest newest first; or newest first (`by_relevance=False`). One statement gives the page and
    the count, exact up to COUNT_CAP (or to the end of the page asked for)."""
    from django.db import connection

    typed = q.strip()
    terms = parse_terms(typed)
    wanted = max(COUNT_CAP, offset + limit) + 1  # one more than the count needs: it says "more"
    rows = rows.order_by()
    keyed_sql, params = _compiled(
        rows.filter(complaint_key_q(typed)).order_by(*_NEWEST).values("id", "received_at")[:wanted]
    )
    postgres = connection.vendor == "postgresql"
    materialized = "MATERIALIZED " if postgres else ""
    ctes = [f"keyed AS {materialized}({keyed_sql})"]
    if terms:
        levels = [_compiled(level) for level in _text_levels(rows, terms, now=now, wanted=wanted)]
        names: list[str] = []
        for number, (sql, level_params) in enumerate(levels):
            name = f"text_{number}"
            if names:
                # A span is read only when the newer ones hold fewer than `wanted` (a one-time filter).
                enough = " + ".join(f"(SELECT count(*) FROM {before})" for before in names)  # noqa: S608 (fixed SQL around compiled parts)
                sql = f"SELECT * FROM ({sql}) s WHERE {enough} < %s"  # noqa: S608 (compiled SQL)
                level_params = [*level_params, wanted]
            ctes.append(f"{name} AS {materialized}({sql})")
            params += level_params
            names.append(name)
        spans = " UNION ALL ".join(f"SELECT * FROM {name}" for name in names)  # noqa: S608 (fixed SQL around compiled parts)
        ctes.append(
            f"text_rows AS {materialized}(SELECT * FROM ({spans}) u "  # noqa: S608 (fixed SQL)
            f"ORDER BY received_at DESC, id DESC LIMIT {wanted})"
        )
        text_ids = "UNION ALL SELECT id, received_at, 1 AS k FROM text_rows"
    else:
        ctes.append("text_rows AS (SELECT id FROM keyed WHERE 1 = 0)")
        text_ids = ""
    ctes.append(
        "merged AS (SELECT id, min(k) AS k, max(received_at) AS received_at FROM "  # noqa: S608 (fixed SQL around compiled parts)
        f"(SELECT id, received_at, 0 AS k FROM keyed {text_ids}) u GROUP BY id)"
    )
    if by_relevance and terms:
        window = f"SELECT * FROM text_rows ORDER BY received_at DESC, id DESC LIMIT {RANK_WINDOW}"  # noqa: S608 (fixed SQL around compiled parts)
        if postgres:
            # The query as an InitPlan: parsed once, not once a row.
            scored = (
                "SELECT w.id, w.received_at, ts_rank(cs.vector, (SELECT to_tsquery('simple', %s))) AS score "  # noqa: S608 (fixed SQL around compiled parts)
                f"FROM ({window}) w JOIN complaints_complaintsearch cs ON cs.complaint_id = w.id"
            )
            params.append(_pg_query(terms))
        else:
            # bm25 (FTS5's rank, smaller is better) needs the MATCH in the statement: one per row.
            scored = (
                f"SELECT w.id, w.received_at, -complaint_fts.rank AS score FROM ({window}) w "  # noqa: S608 (fixed SQL around compiled parts)
                "JOIN complaint_fts ON complaint_fts.rowid = w.id WHERE complaint_fts MATCH %s"
            )
            params.append(_fts_query(terms))
        ctes.append(
            "ranked AS (SELECT id, place FROM (SELECT id, "  # noqa: S608 (fixed SQL around compiled parts)
            f"row_number() OVER (ORDER BY score DESC, received_at DESC, id DESC) AS place FROM ({scored}) s) r "
            f"WHERE place <= {RANKED})"
        )
        order = f"m.k, coalesce(r.place, {RANKED + 1}), m.received_at DESC, m.id DESC"
        ranked_join = "LEFT JOIN ranked r ON r.id = m.id"
    elif by_relevance:
        order, ranked_join = "m.k, m.received_at DESC, m.id DESC", ""
    else:
        order, ranked_join = "m.received_at DESC, m.id DESC", ""
    ctes.append(
        f"page AS (SELECT m.id, row_number() OVER (ORDER BY {order}) AS pos FROM merged m {ranked_join} "  # noqa: S608 (fixed SQL around compiled parts)
        f"ORDER BY pos LIMIT {int(limit)} OFFSET {int(offset)})"
    )
    sql = (
        "WITH " + ", ".join(ctes) + " SELECT (SELECT count(*) FROM merged), (SELECT count(*) FROM keyed), "  # noqa: S608 (fixed SQL around compiled parts)
        "(SELECT count(*) FROM text_rows), page.id FROM (SELECT 1 AS one) one LEFT JOIN page ON 1 = 1 ORDER BY page.pos"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchall()
    matched, keyed, text = result[0][:3]
    ids = [row[3] for row in result if row[3] is not None]
    if keyed < wanted and text < wanted:  # every match is known
        return SearchPage(ids=ids, count=int(matched), exact=True)
    return SearchPage(ids=ids, count=max(COUNT_CAP, offset + len(ids)), exact=False)


# --- highlighted snippets ---------------------------------------------------------------------


def _spans(text: str, needles: Sequence[str]) -> list[tuple[int, int]]:
    """Where the needles occur in `text` (the normalised text, same length), merged."""
    spans = []
    for needle in needles:
        start = text.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = text.find(needle, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _normalised_same_length(text: str) -> str:
    """`normalise` character by character where the whole-text conversion changes the length (a
    snippet's offsets must hold in the original)."""
    whole = normalise(text)
    if len(whole) == len(text):
        return whole
    return "".join(n if len(n := normalise(ch)) == 1 else ch.lower() for ch in text)


def highlight(text: str, q: str, *, width: int = 80) -> SafeString:
    """A snippet of `text` around the first match of `q`'s terms, HTML-escaped, with the matched
    terms (found in any script: 投訴 in the text for 投诉 typed) in <mark>."""
    text = text or ""
    needles = sorted(
        {
            "".join([phrase[0], *(token[-1] for token in phrase[1:])])
            for term in parse_terms(q)
            for phrase in term.phrases[:1]
        },
        key=len,
        reverse=True,
    )
    folded = _normalised_same_length(text)
    spans = _spans(folded, needles)
    if not spans:
        cut = text[:width]
        return mark_safe(escape(cut) + ("…" if len(text) > width else ""))  # noqa: S308 (escaped)
    first = spans[0][0]
    start = max(0, first - width // 4)
    end = min(len(text), start + width)
    out = ["…" if start > 0 else ""]
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(str(escape(text[position:span_start])))
        out.append("<mark>" + str(escape(text[span_start:span_end])) + "</mark>")
        position = span_end
    out.append(str(escape(text[position:end])))
    out.append("…" if end < len(text) else "")
    return mark_safe("".join(out))  # noqa: S308 (every piece of text above is escaped)


# --- rebuilding the whole index ---------------------------------------------------------------


def rebuild_index(
    *,
    complaint_model: Any = None,
    event_model: Any = None,
    investigation_model: Any = None,
    batch_size: int = 1000,
    progress: Any = None,
) -> int:
    """Rewrite every complaint's search columns and (SQLite) the FTS5 table, in batches of ids;
    `progress(done, total)` after each batch. The models may be a migration's historical ones."""
    from django.db import connection, transaction

    from kesu.complaints.services.notes import NOTE_KIND

    if complaint_model is None:
        from kesu.complaints.models import Complaint, ComplaintEvent
        from kesu.resolution.models import Investigation

        complaint_model, event_model, investigation_model = Complaint, ComplaintEvent, Investigation
    total = complaint_model.objects.count()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM complaint_fts")
    fields = (
        "id",
        "number",
        "title",
        "description",
        "demand",
        "location",
        "product_name",
        "product_sku",
        "result",
        "contact_name",
        "contact_phone",
        "external_ref",
    )
    done, last_id = 0, 0
    while True:
        batch = list(complaint_model.objects.filter(pk__gt=last_id).order_by("pk").only(*fields)[:batch_size])
        if not batch:
            break
        ids = [c.pk for c in batch]
        notes: dict[int, list[str]] = {}
        for complaint_id, note in (
            event_model.objects.filter(complaint_id__in=ids, kind=NOTE_KIND)
            .order_by("at", "id")
            .values_list("complaint_id", "note")
        ):
            notes.setdefault(complaint_id, []).append(note)
        findings: dict[int, list[str]] = {}
        for complaint_id, found, cause in investigation_model.objects.filter(complaint_id__in=ids).values_list(
            "complaint_id", "findings", "root_cause"
        ):
            findings.setdefault(complaint_id, []).extend(t for t in (found, cause) if t)
        for complaint in batch:
            complaint.search_text = build_search_text(
                complaint, notes=notes.get(complaint.pk, ()), findings=findings.get(complaint.pk, ())
            )
            complaint.phone_key = phone_key(complaint.contact_phone)
        with transaction.atomic():
            complaint_model.objects.bulk_update(batch, ["search_text", "phone_key"])
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO complaint_fts (rowid, document) VALUES (%s, %s)",
                        [(c.pk, c.search_text) for c in batch],
                    )
        done += len(batch)
        last_id = ids[-1]
        if progress is not None:
            progress(done, total)
    return done
