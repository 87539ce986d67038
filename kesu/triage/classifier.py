"""The text classifier behind the category and severity suggestions (issue 10).

Character n-grams (1–3) of the normalised text (kesu.triage.text: full-width folded, traditional
→ simplified) weighted by TF-IDF, plus word unigrams and bigrams for Latin-script text, feed one
linear model per target (a one-vs-rest linear SVM). Confidence is the softmax of the decision values,
and the words that led to a suggestion are the n-grams with the largest contribution to the winning
class. Pure functions: no database here (kesu.triage.intelligence stores and loads versions)."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from kesu.triage.text import normalise

FORMAT = 1
# The first characters carry what a complaint is about; the rest costs time and adds little.
MAX_CHARS = 1200
_LATIN_WORD = re.compile(r"(?u)\b[a-z][a-z0-9']+\b")


def _latin_words(text: str) -> list[str]:
    words = _LATIN_WORD.findall(text)
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _vectorizers(samples: int) -> tuple[TfidfVectorizer, TfidfVectorizer]:
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
        analyzer=_latin_words,
        preprocessor=None,
        sublinear_tf=True,
        min_df=min_df,
        max_features=200_000,
        dtype=np.float32,
    )
    return chars, words


@dataclass
class Target:
    """One trained target (category or severity): class labels and the linear model's weights."""

    labels: list[str]
    coef: Any  # (classes, features) float32, dense rows only for the classes
    intercept: Any

    def weights(self) -> Any:
        """(features, classes), contiguous: a sparse row times it touches only its own features."""
        cached = getattr(self, "_weights", None)
        if cached is None:
            cached = np.ascontiguousarray(self.coef.T)
            self._weights = cached
        return cached

    def probabilities(self, x: Any) -> Any:
        raw = np.asarray(x @ self.weights()).reshape(x.shape[0], -1) + self.intercept
        if len(self.labels) == 2 and raw.shape[1] == 1:
            raw = np.hstack([-raw, raw])
        scaled = raw * 3.0  # SVM margins are small; scaled so that a clear winner reads near 1
        scaled -= scaled.max(axis=1, keepdims=True)
        exp = np.exp(scaled)
        return exp / exp.sum(axis=1, keepdims=True)


@dataclass
class Prediction:
    label: str
    confidence: float
    distribution: dict[str, float] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)


@dataclass
class Model:
    chars: TfidfVectorizer
    words: TfidfVectorizer
    targets: dict[str, Target]
    feature_names: Any = None
    format: int = FORMAT

    def transform(self, texts: Sequence[str]) -> Any:
        normalised = [normalise(t[: MAX_CHARS * 2])[:MAX_CHARS] for t in texts]
        chars = self.chars.transform(normalised)
        words = self.words.transform(normalised)
        return sparse.hstack([chars, words], format="csr")

    def predict_all(self, text: str, *, explain: bool = True) -> dict[str, Prediction]:
        """Every target for one text, vectorised once (what intake asks for)."""
        x = self.transform([text])
        return {name: self._predict(spec, x, explain=explain)[0] for name, spec in self.targets.items()}

    def predict(self, target: str, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        spec = self.targets.get(target)
        if spec is None:
            return []
        return self._predict(spec, self.transform(texts), explain=explain)

    def _predict(self, spec: Target, x: Any, *, explain: bool) -> list[Prediction]:
        probs = spec.probabilities(x)
        out = []
        for i in range(x.shape[0]):
            best = int(np.argmax(probs[i]))
            words = self._explain(x[i], spec, best) if explain else []
            distribution = {label: float(p) for label, p in zip(spec.labels, probs[i], strict=True)}
            out.append(Prediction(spec.labels[best], float(probs[i][best]), distribution, words))
        return out

    def _explain(self, row: Any, spec: Target, best: int, limit: int = 4) -> list[str]:
        """The n-grams that pushed hardest towards the winning class, longest first when nested."""
        if self.feature_names is None:
            return []
        klass = best if spec.coef.shape[0] > 1 else 0
        sign = 1.0 if (spec.coef.shape[0] > 1 or best == 1) else -1.0
        contributions = row.data * np.asarray(spec.weights()[row.indices, klass]).ravel() * sign
        order = np.argsort(-contributions)
        chosen: list[str] = []
        for index in order[: limit * 6]:
            if contributions[index] <= 0:
                break
            name = str(self.feature_names[row.indices[index]]).strip()
            if len(name) < 2 or any(name in kept for kept in chosen):
                continue
            chosen = [kept for kept in chosen if kept not in name] + [name]
            if len(chosen) >= limit:
                break
        return chosen


def train(
    texts: Sequence[str],
    labels: dict[str, Sequence[str]],
    *,
    weights: Sequence[float] | None = None,
    c: float = 0.5,
) -> Model:
    """Fit the vectorizers once and a linear SVM per target that has at least two classes."""
    chars, words = _vectorizers(len(texts))
    normalised = [normalise(t[: MAX_CHARS * 2])[:MAX_CHARS] for t in texts]
    x = sparse.hstack([chars.fit_transform(normalised), _fit_words(words, normalised)], format="csr")
    targets: dict[str, Target] = {}
    sample_weight = np.asarray(weights, dtype=np.float64) if weights is not None else None
    for name, values in labels.items():
        present = [i for i, v in enumerate(values) if v]
        classes = sorted({values[i] for i in present})
        if len(classes) < 2:
            continue
        model = LinearSVC(C=c, class_weight="balanced", dual="auto", max_iter=2000)
        y = [values[i] for i in present]
        model.fit(x[present], y, sample_weight=None if sample_weight is None else sample_weight[present])
        targets[name] = Target(
            labels=[str(v) for v in model.classes_],
            coef=np.asarray(model.coef_, dtype=np.float32),
            intercept=np.asarray(model.intercept_, dtype=np.float32),
        )
    names = np.concatenate([chars.get_feature_names_out(), _word_names(words)])
    return Model(chars=chars, words=words, targets=targets, feature_names=names)


def _fit_words(words: TfidfVectorizer, normalised: Sequence[str]) -> Any:
    try:
        return words.fit_transform(normalised)
    except ValueError:  # no Latin word at all (a Chinese-only organisation)
        words.set_params(min_df=1)
        return words.fit_transform([*normalised[:-1], (normalised[-1] if normalised else "") + " x0"])


def _word_names(words: TfidfVectorizer) -> Any:
    return words.get_feature_names_out()


def dumps(model: Model) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def loads(blob: bytes) -> Model:
    model = joblib.load(io.BytesIO(bytes(blob)))
    if not isinstance(model, Model) or model.format != FORMAT:
        raise ValueError("not a classifier of this version of Kesu")
    return model
