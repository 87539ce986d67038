"""kesu.triage.vectoriser gives the features scikit-learn's TfidfVectorizers gave the first
classifier format (tests/triage/format1.py): same vocabulary, same columns, same values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kesu.triage import vectoriser
from tests.triage import format1

TEXTS = [
    "买的牛奶有异味，已经过期了",
    "面包发霉变质，保质期还没到",
    "買的牛奶有異味，已經過期了 ＡＢＣ",
    "快递一个星期还没送到，物流信息一直不更新",
    "The bank charged an overdraft fee twice and the bank won't refund it.",
    "I disputed the charge with my credit card company; they ignored the dispute.",
    "手机屏幕碎了 screen cracked after one day, 要求退货",
    "",
    "x",
    "表情😀😀😀 和 emoji",
    "   空格   很多\t\n的 文本   ",
    "订单 12345 的 iPhone 15 还没发货",
]


def _reference(texts: list[str]):
    chars, words, x = format1.features(texts)
    return chars, words, x


@pytest.mark.parametrize("copies", [1, 20])  # 12 texts: min_df 1; 240: min_df 2
def test_fit_gives_the_reference_vocabulary_idf_and_matrix(copies):
    texts = [f"{t} {i % 3}" if copies > 1 else t for i in range(copies) for t in TEXTS]
    chars, words, reference = _reference(texts)

    fitted, matrix = vectoriser.fit_transform(format1.prepare(texts), min_df=2 if len(texts) >= 200 else 1)

    names = [*chars.get_feature_names_out(), *words.get_feature_names_out()]
    assert [fitted.name(i) for i in range(fitted.n_features)] == names
    assert matrix.shape == reference.shape
    assert np.allclose(fitted.char_idf, chars.idf_) and np.allclose(fitted.word_idf, words.idf_)
    assert abs(matrix - reference).max() < 1e-6
    assert abs(fitted.transform(format1.prepare(texts)) - reference).max() < 1e-6


def test_a_converted_vectoriser_transforms_as_the_reference():
    chars, words, _x = _reference(TEXTS * 20)
    converted = vectoriser.from_tfidf(chars, words)
    unseen = ["牛奶过期变质了，有异味", "The bank refused my refund", "完全没见过的字：龘靐齉", ""]

    for text in format1.prepare(TEXTS + unseen):
        cols, data = converted.vector(text)
        expected = format1.sparse.hstack([chars.transform([text]), words.transform([text])], format="csr")
        assert cols.tolist() == expected.indices.tolist()  # same columns, same order
        assert np.allclose(data, expected.data, atol=1e-6)


@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=8), st.text(max_size=60))
def test_any_text_gets_the_reference_features(texts, probe):
    corpus = format1.prepare([*texts, "基础文本 base text"])
    chars, words, _x = _reference([*texts, "基础文本 base text"])
    fitted, _matrix = vectoriser.fit_transform(corpus, min_df=1)
    text = format1.prepare([probe])[0]

    cols, data = fitted.vector(text)
    expected = format1.sparse.hstack([chars.transform([text]), words.transform([text])], format="csr")
    # Format 1 invented the word "x0" when there was none; the columns agree on all the rest.
    names = [*chars.get_feature_names_out(), *words.get_feature_names_out()]
    assert {fitted.name(int(c)): round(float(v), 5) for c, v in zip(cols, data, strict=True)} == {
        names[c]: round(float(v), 5) for c, v in zip(expected.indices, expected.data, strict=True)
    }


def test_keys_and_grams_round_trip_and_never_collide():
    grams = ["a", "ab", "abc", "投", "投诉", "投诉了", "\x00", "\x00\x00", "😀a", "\U0010ffff" * 3]
    keys = [vectoriser.key_of(g) for g in grams]

    assert [vectoriser.gram_of(k) for k in keys] == grams
    assert len(set(keys)) == len(keys)
    assert vectoriser.char_keys("abc").tolist() == [vectoriser.key_of(g) for g in ["a", "b", "c", "ab", "bc", "abc"]]


def test_the_vocabulary_keeps_the_most_frequent_when_limited():
    fitted, matrix = vectoriser.fit_transform(["aaab", "aab", "ac"], min_df=1, max_chars=2, max_words=0)

    assert [fitted.name(i) for i in range(fitted.n_features)] == ["a", "aa"]
    assert matrix.shape == (3, 2)
