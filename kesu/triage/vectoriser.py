"""The classifier's features, computed with numpy (issue 10): TF-IDF of the character 1–3-grams of
the normalised text, and of its Latin words and word bigrams, each block L2-normalised.

These are exactly the features scikit-learn's `TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
sublinear_tf=True, dtype=float32)` and the word vectoriser beside it computed for the first
classifier format (same vocabulary, same column order, same idf, same values), without its
per-n-gram Python loop: one pass over the text's code points gives every n-gram as one int64 key,

    1-gram  c1 + 1
    2-gram  (c1 + 1) << 21 | (c2 + 1)
    3-gram  (c1 + 1) << 42 | (c2 + 1) << 21 | (c3 + 1)

(a code point is below 2**21, so the three kinds never collide), looked up in the sorted
vocabulary with one `searchsorted`. Columns are in the order of the n-grams as strings, as
scikit-learn numbered them, then the word columns in the order of the words.

The only place the features can differ from scikit-learn's: when more n-grams than `max_chars`
(or words than `max_words`) pass `min_df`, the most frequent are kept and ties at the cut are
broken by column order here, arbitrarily there."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

SHIFT = 21
_MASK = (1 << SHIFT) - 1
_LATIN_WORD = re.compile(r"(?u)\b[a-z][a-z0-9']+\b")
_EMPTY_INT = np.empty(0, dtype=np.int64)


def latin_words(text: str) -> list[str]:
    """Latin-script words of normalised text and the bigrams of adjacent ones."""
    words = _LATIN_WORD.findall(text)
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def char_keys(text: str) -> Any:
    """The int64 keys of every character 1-, 2- and 3-gram of `text`, in that order."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    n = codes.size
    if n == 0:
        return _EMPTY_INT
    codes += 1
    out = np.empty(n + max(n - 1, 0) + max(n - 2, 0), dtype=np.int64)
    out[:n] = codes
    if n > 1:
        bigrams = out[n : 2 * n - 1]
        np.left_shift(codes[:-1], SHIFT, out=bigrams)
        bigrams |= codes[1:]
        if n > 2:
            trigrams = out[2 * n - 1 :]
            np.left_shift(bigrams[:-1], SHIFT, out=trigrams)
            trigrams |= codes[2:]
    return out


def key_of(gram: str) -> int:
    """The key of a 1–3-character n-gram."""
    if not 1 <= len(gram) <= 3:
        raise ValueError(f"not a 1-3-gram: {gram!r}")
    key = 0
    for ch in gram:
        key = (key << SHIFT) | (ord(ch) + 1)
    return key


def gram_of(key: int) -> str:
    """The n-gram of a key (the inverse of `key_of`)."""
    chars = []
    key = int(key)
    while key:
        chars.append(chr((key & _MASK) - 1))
        key >>= SHIFT
    return "".join(reversed(chars))


def _string_order(keys: Any) -> Any:
    """The positions of `keys` sorted as their n-grams sort as strings (a shorter prefix first)."""
    first = np.where(keys >= 1 << (2 * SHIFT), keys >> (2 * SHIFT), np.where(keys >= 1 << SHIFT, keys >> SHIFT, keys))
    second = np.where(keys >= 1 << (2 * SHIFT), (keys >> SHIFT) & _MASK, np.where(keys >= 1 << SHIFT, keys & _MASK, 0))
    third = np.where(keys >= 1 << (2 * SHIFT), keys & _MASK, 0)
    return np.lexsort((third, second, first))


def _idf(df: Any, samples: int) -> Any:
    """Smoothed idf as scikit-learn computes it, in float32: log((n + 1) / (df + 1)) + 1."""
    df = np.asarray(df, dtype=np.float32) + np.float32(1.0)
    idf = np.full_like(df, fill_value=samples + 1, dtype=np.float32)
    idf /= df
    np.log(idf, out=idf)
    idf += np.float32(1.0)
    return idf


def _kept(df: Any, tf: Any, *, min_df: int, limit: int) -> Any:
    """Mask of the features with df ≥ min_df, and at most `limit` of them, the most frequent."""
    mask = df >= min_df
    if mask.sum() > limit:
        candidates = np.flatnonzero(mask)
        best = candidates[np.argsort(-tf[candidates], kind="stable")[:limit]]
        mask = np.zeros(len(df), dtype=bool)
        mask[best] = True
    return mask


def _tfidf(counts: Any, idf: Any) -> Any:
    data = counts.astype(np.float32)
    np.log(data, out=data)
    data += np.float32(1.0)
    data *= idf
    return data


@dataclass
class Vectoriser:
    """A fitted vocabulary: the char n-gram keys (sorted) with their columns, the words, the idf."""

    keys: Any  # int64, ascending
    columns: Any  # int32: the column of keys[i]
    char_idf: Any  # float32 by char column
    words: list[str]  # the word features, in column order (after the char columns)
    word_idf: Any  # float32 by word column
    _word_index: dict[str, int] | None = field(default=None, repr=False, compare=False)
    _names: Any = field(default=None, repr=False, compare=False)

    @property
    def n_chars(self) -> int:
        return int(self.keys.size)

    @property
    def n_features(self) -> int:
        return self.n_chars + len(self.words)

    def word_index(self) -> dict[str, int]:
        if self._word_index is None:
            self._word_index = {w: i for i, w in enumerate(self.words)}
        return self._word_index

    def vector(self, text: str) -> tuple[Any, Any]:
        """One normalised text's features: the columns (ascending) and their values."""
        cols, counts = self._char_counts(text)
        data = _tfidf(counts, self.char_idf[cols])
        norm = np.sqrt(np.dot(data, data))
        if norm > 0:
            data /= norm
        if not self.words:
            return cols, data
        terms = Counter(latin_words(text))
        if not terms:
            return cols, data
        index = self.word_index()
        found = sorted((index[t], n) for t, n in terms.items() if t in index)
        if not found:
            return cols, data
        wcols = np.fromiter((c for c, _ in found), dtype=np.int64, count=len(found))
        wdata = _tfidf(np.fromiter((n for _, n in found), dtype=np.int64, count=len(found)), self.word_idf[wcols])
        wnorm = np.sqrt(np.dot(wdata, wdata))
        if wnorm > 0:
            wdata /= wnorm
        return np.concatenate([cols, wcols + self.n_chars]), np.concatenate([data, wdata])

    def _char_counts(self, text: str) -> tuple[Any, Any]:
        keys = char_keys(text)
        if not keys.size or not self.keys.size:
            return _EMPTY_INT, _EMPTY_INT
        at = np.searchsorted(self.keys, keys)
        np.minimum(at, self.keys.size - 1, out=at)
        at = at[self.keys[at] == keys]
        return np.unique(self.columns[at], return_counts=True)

    def transform(self, texts: Sequence[str]) -> Any:
        """The CSR matrix of normalised texts (rows as `vector` gives them)."""
        indptr = [0]
        parts_i, parts_d = [], []
        for text in texts:
            cols, data = self.vector(text)
            parts_i.append(cols)
            parts_d.append(data)
            indptr.append(indptr[-1] + cols.size)
        indices = np.concatenate(parts_i) if parts_i else _EMPTY_INT
        values = np.concatenate(parts_d) if parts_d else np.empty(0, dtype=np.float32)
        return sparse.csr_matrix(
            (values.astype(np.float32, copy=False), indices.astype(np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(len(texts), self.n_features),
        )

    def name(self, column: int) -> str:
        """The n-gram or word of a column (for the words shown with a suggestion)."""
        if column >= self.n_chars:
            return self.words[column - self.n_chars]
        if self._names is None:
            names = np.empty(self.n_chars, dtype=np.int64)
            names[self.columns] = self.keys
            self._names = names
        return gram_of(int(self._names[column]))


def fit_transform(
    texts: Sequence[str], *, min_df: int, max_chars: int = 400_000, max_words: int = 200_000
) -> tuple[Vectoriser, Any]:
    """Learn the vocabulary and idf of normalised texts and return their matrix, in one pass."""
    samples = len(texts)
    # Each text's n-gram keys, sorted per text (the only per-text numpy call), then all at once:
    # a key equal to the one before it in the same text is a repeat, counted, not a new entry.
    parts = []
    word_counts: list[Counter[str]] = []
    for text in texts:
        keys = char_keys(text)
        keys.sort()
        parts.append(keys)
        word_counts.append(Counter(latin_words(text)))
    raw = np.concatenate(parts) if parts else _EMPTY_INT
    raw_rows = np.repeat(np.arange(samples, dtype=np.int64), [k.size for k in parts])
    del parts
    first = np.ones(raw.size, dtype=bool)
    if raw.size > 1:
        first[1:] = (raw[1:] != raw[:-1]) | (raw_rows[1:] != raw_rows[:-1])
    starts = np.flatnonzero(first)
    all_keys = raw[starts]
    all_counts = np.diff(np.append(starts, raw.size))
    lengths = np.bincount(raw_rows[starts], minlength=samples)
    del raw, raw_rows, first, starts
    vocab, inverse, df = np.unique(all_keys, return_inverse=True, return_counts=True)
    tf = np.bincount(inverse, weights=all_counts, minlength=vocab.size)
    mask = _kept(df, tf, min_df=min_df, limit=max_chars)
    # Columns in string order of the kept n-grams.
    kept = np.flatnonzero(mask)
    order = _string_order(vocab[kept])
    column_of_kept = np.empty(kept.size, dtype=np.int64)
    column_of_kept[order] = np.arange(kept.size)
    column_of_vocab = np.full(vocab.size, -1, dtype=np.int64)
    column_of_vocab[kept] = column_of_kept
    char_idf = np.empty(kept.size, dtype=np.float32)
    char_idf[column_of_kept] = _idf(df[kept], samples)
    # The rows: (text, column, count) of every kept n-gram.
    rows = np.repeat(np.arange(samples, dtype=np.int64), lengths)
    cols = column_of_vocab[inverse]
    present = cols >= 0
    rows, cols, counts = rows[present], cols[present], all_counts[present]
    del inverse, all_keys, all_counts, present
    data = _tfidf(counts, char_idf[cols])
    norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=samples)).astype(np.float32)
    norms[norms == 0] = 1
    data /= norms[rows]
    chars = sparse.csr_matrix(
        (data, cols.astype(np.int32), np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=samples))])),
        shape=(samples, kept.size),
    )
    chars.sort_indices()
    del rows, cols, counts, data

    words, word_idf, word_matrix = _fit_words(word_counts, min_df=min_df, limit=max_words)
    vectoriser = Vectoriser(
        keys=vocab[kept].astype(np.int64),
        columns=column_of_kept.astype(np.int32),
        char_idf=char_idf,
        words=words,
        word_idf=word_idf,
    )
    return vectoriser, sparse.hstack([chars, word_matrix], format="csr", dtype=np.float32)


def _fit_words(counts: list[Counter[str]], *, min_df: int, limit: int) -> tuple[list[str], Any, Any]:
    samples = len(counts)
    flat = [t for terms in counts for t in terms]  # each text's distinct words, text after text
    names = sorted(set(flat))
    rank = {t: i for i, t in enumerate(names)}
    ids = np.fromiter((rank[t] for t in flat), dtype=np.int64, count=len(flat))
    occurrences = np.fromiter((n for terms in counts for n in terms.values()), dtype=np.int64, count=len(flat))
    rows = np.repeat(np.arange(samples, dtype=np.int64), [len(terms) for terms in counts])
    dfs = np.bincount(ids, minlength=len(names))
    tfs = np.bincount(ids, weights=occurrences, minlength=len(names))
    mask = _kept(dfs, tfs, min_df=min_df, limit=limit)
    words = [t for t, keep in zip(names, mask, strict=True) if keep]
    idf = _idf(dfs[mask], samples)
    column = np.full(len(names), -1, dtype=np.int64)
    column[mask] = np.arange(len(words))
    cols = column[ids]
    present = cols >= 0
    rows, cols, occurrences = rows[present], cols[present], occurrences[present]
    data = _tfidf(occurrences, idf[cols])
    norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=samples)).astype(np.float32)
    norms[norms == 0] = 1
    data /= norms[rows]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=samples))])
    matrix = sparse.csr_matrix((data, cols.astype(np.int32), indptr), shape=(samples, len(words)))
    matrix.sort_indices()
    return words, idf, matrix


def from_tfidf(chars: Any, words: Any) -> Vectoriser:
    """The vectoriser equal to two fitted scikit-learn TfidfVectorizers of the first classifier
    format (char 1–3-grams; the Latin word analyzer): same columns, same idf."""
    params = chars.get_params()
    expected = {"analyzer": "char", "ngram_range": (1, 3), "lowercase": False, "sublinear_tf": True, "norm": "l2"}
    if any(params.get(k) != v for k, v in expected.items()) or not params.get("smooth_idf", True):
        raise ValueError("not a character vectoriser of the first classifier format")
    if not words.get_params().get("sublinear_tf") or words.get_params().get("norm") != "l2":
        raise ValueError("not a word vectoriser of the first classifier format")
    grams = list(chars.vocabulary_.items())
    keys = np.fromiter((key_of(g) for g, _ in grams), dtype=np.int64, count=len(grams))
    columns = np.fromiter((c for _, c in grams), dtype=np.int64, count=len(grams))
    order = np.argsort(keys)
    by_column = sorted(words.vocabulary_.items(), key=lambda item: item[1])
    return Vectoriser(
        keys=keys[order],
        columns=columns[order].astype(np.int32),
        char_idf=np.asarray(chars.idf_, dtype=np.float32),
        words=[w for w, _ in by_column],
        word_idf=np.asarray(words.idf_, dtype=np.float32),
    )
