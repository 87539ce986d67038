"""The first classifier format, as Kesu trained and used it before kesu.triage.vectoriser (kept
here as the reference the new features and predictions are compared with): scikit-learn
TfidfVectorizers pickled inside the model, a sparse matrix per call."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from kesu.triage import classifier
from kesu.triage.text import normalise

MAX_CHARS = 1200


def vectorizers(samples: int) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    min_df = 2 if samples >= 200 else 1
    chars = TfidfVectorizer(
        analyzer="char",
        ngram_range=(1, 3),
        lowercase=False,
        sublinear_tf=True,
        min_df=min_df,
        max_features=400_000,
        dtype=np.float32,
    )
    words = TfidfVectorizer(
        analyzer=classifier._latin_words,
        preprocessor=None,
        sublinear_tf=True,
        min_df=min_df,
        max_features=200_000,
        dtype=np.float32,
    )
    return chars, words


def fit_words(words: TfidfVectorizer, normalised: Sequence[str]) -> Any:
    try:
        return words.fit_transform(normalised)
    except ValueError:  # no Latin word at all (a Chinese-only organisation)
        words.set_params(min_df=1)
        return words.fit_transform([*normalised[:-1], (normalised[-1] if normalised else "") + " x0"])


def prepare(texts: Sequence[str]) -> list[str]:
    return [normalise(t[: MAX_CHARS * 2])[:MAX_CHARS] for t in texts]


def features(texts: Sequence[str]) -> tuple[TfidfVectorizer, TfidfVectorizer, Any]:
    """Fitted vectorisers and the training matrix, as format 1 computed them."""
    chars, words = vectorizers(len(texts))
    normalised = prepare(texts)
    x = sparse.hstack([chars.fit_transform(normalised), fit_words(words, normalised)], format="csr")
    return chars, words, x


def train(texts: Sequence[str], labels: dict[str, Sequence[str]], *, c: float = 0.5) -> classifier.Model:
    """A format-1 model, its state as format 1 pickled it (the class is looked up by name)."""
    chars, words, x = features(texts)
    targets = {}
    for name, values in labels.items():
        model = LinearSVC(C=c, class_weight="balanced", dual="auto", max_iter=2000)
        model.fit(x, list(values))
        targets[name] = classifier.Target(
            labels=[str(v) for v in model.classes_],
            coef=np.asarray(model.coef_, dtype=np.float32),
            intercept=np.asarray(model.intercept_, dtype=np.float32),
        )
    names = np.concatenate([chars.get_feature_names_out(), words.get_feature_names_out()])
    old = classifier.Model.__new__(classifier.Model)
    old.__dict__.update(chars=chars, words=words, targets=targets, feature_names=names, format=1)
    return old


def dumps(old: classifier.Model) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(old, buffer, compress=3)
    return buffer.getvalue()


def transform(old: classifier.Model, texts: Sequence[str]) -> Any:
    state = vars(old)
    normalised = prepare(texts)
    return sparse.hstack([state["chars"].transform(normalised), state["words"].transform(normalised)], format="csr")


def predict_all(old: classifier.Model, text: str) -> dict[str, classifier.Prediction]:
    """Format 1's predictions for one text (category with its words, severity)."""
    state = vars(old)
    x = transform(old, [text])
    out = {}
    for name, spec in state["targets"].items():
        probs = spec.probabilities(x)[0]
        best = int(np.argmax(probs))
        words = _explain(state["feature_names"], x[0], spec, best)
        distribution = {label: float(p) for label, p in zip(spec.labels, probs, strict=True)}
        out[name] = classifier.Prediction(spec.labels[best], float(probs[best]), distribution, words)
    return out


def _explain(feature_names: Any, row: Any, spec: classifier.Target, best: int, limit: int = 4) -> list[str]:
    klass = best if spec.coef.shape[0] > 1 else 0
    sign = 1.0 if (spec.coef.shape[0] > 1 or best == 1) else -1.0
    contributions = row.data * np.asarray(spec.weights()[row.indices, klass]).ravel() * sign
    order = np.argsort(-contributions)
    chosen: list[str] = []
    for index in order[: limit * 6]:
        if contributions[index] <= 0:
            break
        name = str(feature_names[row.indices[index]]).strip()
        if len(name) < 2 or any(name in kept for kept in chosen):
            continue
        chosen = [kept for kept in chosen if kept not in name] + [name]
        if len(chosen) >= limit:
            break
    return chosen
