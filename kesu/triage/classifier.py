"""The text classifier behind the category and severity suggestions (issue 10).

Character n-grams (1–3) of the normalised text (kesu.triage.text: full-width folded, traditional
→ simplified) weighted by TF-IDF, plus word unigrams and bigrams for Latin-script text, feed one
linear model per target (a one-vs-rest linear SVM). Confidence is the softmax of the decision values,
and the words that led to a suggestion are the n-grams with the largest contribution to the winning
class. Pure functions: no database here (kesu.triage.intelligence stores and loads versions).

The features are computed by kesu.triage.vectoriser (numpy, one pass over the text; the same
features scikit-learn's TfidfVectorizer gave the first format). One complaint is classified without
building a sparse matrix: the weights of its own features only, times their values.

Formats: 2 (this one) stores the vocabulary as arrays; 1 (scikit-learn vectorisers pickled inside)
is converted on load into the same features and weights, so that its versions classify as before."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from kesu.triage import vectoriser
from kesu.triage.text import normalise
from kesu.triage.vectoriser import Vectoriser, latin_words

FORMAT = 2
FORMATS = (1, 2)
# The first characters carry what a complaint is about; the rest costs time and adds little.
MAX_CHARS = 1200
# The solver (liblinear's dual coordinate descent) stops when the largest violation of the
# optimality conditions is below TOLERANCE or after MAX_ITERATIONS passes over the data: the
# defaults (1e-4, 1000 passes) changed no macro-F1 of bench/triage_eval.py at the third decimal
# and took 3–5× longer; training time is the passes times the classes times the n-grams. 10
# passes rather than 15 changed no --quick macro-F1 by more than 0.0004 (the first passes, over
# every text, cost the most: 15 → 10 saved 13 % of the category model's time at 100,000).
TOLERANCE = 0.1
MAX_ITERATIONS = 10
# One more text per MIN_DF_PER texts a feature must occur in (see `min_df`).
MIN_DF_PER = 20_000


def _latin_words(text: str) -> list[str]:
    """Format 1 pickled scikit-learn vectorisers whose word analyzer is this function, by name."""
    return latin_words(text)


def prepare(text: str) -> str:
    """The text as the features read it: normalised, its first MAX_CHARS characters."""
    return normalise(text[: MAX_CHARS * 2])[:MAX_CHARS]


@dataclass
class Target:
    """One trained target (category or severity): class labels and the linear model's weights."""

    labels: list[str]
    coef: Any  # (classes, features) float32, dense rows only for the classes
    intercept: Any

    def weights(self) -> Any:
        """(features, classes), contiguous: a text's features pick their own rows."""
        cached = getattr(self, "_weights", None)
        if cached is None:
            cached = np.ascontiguousarray(self.coef.T, dtype=np.float32)
            self._weights = cached
        return cached

    def scores(self, x: Any) -> Any:
        """Decision values of a CSR matrix, (texts, classes) as `probabilities` reads them."""
        return np.asarray(x @ self.weights()).reshape(x.shape[0], -1) + self.intercept

    def probabilities(self, x: Any) -> Any:
        return self.softmax(self.scores(x))

    def softmax(self, raw: Any) -> Any:
        raw = np.atleast_2d(raw)
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
    features: Vectoriser
    targets: dict[str, Target]
    format: int = FORMAT

    def transform(self, texts: Sequence[str]) -> Any:
        return self.features.transform([prepare(t) for t in texts])

    def predict_all(self, text: str, *, explain: bool = True) -> dict[str, Prediction]:
        """Every target for one text, vectorised once (what intake asks for)."""
        cols, data = self.features.vector(prepare(text))
        out = {}
        for name, spec in self.targets.items():
            weights = spec.weights()[cols]  # (nnz, classes): only this text's features
            probs = spec.softmax(data @ weights + spec.intercept)[0]
            out[name] = self._prediction(spec, probs, cols, data, weights if explain else None)
        return out

    def predict(self, target: str, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        spec = self.targets.get(target)
        if spec is None:
            return []
        x = self.transform(texts)
        probs = spec.probabilities(x)
        out = []
        for i in range(x.shape[0]):
            cols, data = x.indices[x.indptr[i] : x.indptr[i + 1]], x.data[x.indptr[i] : x.indptr[i + 1]]
            weights = spec.weights()[cols] if explain else None
            out.append(self._prediction(spec, probs[i], cols, data, weights))
        return out

    def _prediction(self, spec: Target, probs: Any, cols: Any, data: Any, weights: Any) -> Prediction:
        best = int(np.argmax(probs))
        words = self._explain(spec, best, cols, data, weights) if weights is not None else []
        distribution = {label: float(p) for label, p in zip(spec.labels, probs, strict=True)}
        return Prediction(spec.labels[best], float(probs[best]), distribution, words)

    def _explain(self, spec: Target, best: int, cols: Any, data: Any, weights: Any, limit: int = 4) -> list[str]:
        """The n-grams that pushed hardest towards the winning class, longest first when nested."""
        klass = best if spec.coef.shape[0] > 1 else 0
        sign = 1.0 if (spec.coef.shape[0] > 1 or best == 1) else -1.0
        contributions = data * weights[:, klass] * sign
        order = np.argsort(-contributions)
        chosen: list[str] = []
        for index in order[: limit * 6]:
            if contributions[index] <= 0:
                break
            name = self.features.name(int(cols[index])).strip()
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
    """Fit the vocabulary once and a linear SVM per target that has at least two classes."""
    features, x = vectoriser.fit_transform([prepare(t) for t in texts], min_df=min_df(len(texts)))
    solver_x, column = solver_matrix(x)
    del x
    targets: dict[str, Target] = {}
    sample_weight = np.asarray(weights, dtype=np.float64) if weights is not None else None
    for name, values in labels.items():
        present = [i for i, v in enumerate(values) if v]
        classes = sorted({values[i] for i in present})
        if len(classes) < 2:
            continue
        model = LinearSVC(C=c, class_weight="balanced", dual=True, tol=TOLERANCE, max_iter=MAX_ITERATIONS)
        # Stopping after MAX_ITERATIONS is the point, not a fault: no ConvergenceWarning in the logs.
        y = [values[i] for i in present]
        rows = solver_x if len(present) == solver_x.shape[0] else solver_x[present]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(rows, y, sample_weight=None if sample_weight is None else sample_weight[present])
        targets[name] = Target(
            labels=[str(v) for v in model.classes_],
            coef=np.ascontiguousarray(np.asarray(model.coef_, dtype=np.float32)[:, column]),
            intercept=np.asarray(model.intercept_, dtype=np.float32),
        )
    return Model(features=features, targets=targets)


def min_df(samples: int) -> int:
    """The fewest texts a feature must occur in to be kept: 1 below 200 texts, 2 up to 59,999,
    then one per 20,000 texts (5 at 100,000). Features that rare carry little: at 100,000 mixed
    complaints those in 2–4 texts are 40 % of the vocabulary and 3.5 % of the matrix's entries,
    and every pass of the solver reads the weights of them all."""
    if samples < 200:
        return 1
    return max(2, samples // MIN_DF_PER)


def solver_matrix(x: Any) -> tuple[Any, Any]:
    """The training matrix as the solver reads it, and where each feature went in it.

    liblinear wants float64 (converted here once for every target, not once per target), and it
    reads the weight of every feature of every text on each pass: numbered by document frequency,
    most frequent first, the weights read most often share a few cache lines instead of being
    spread over the whole vector. The solution is the same up to rounding (the same problem with
    the columns renumbered); `column[j]` is the solver's column of feature j, so that
    `coef[:, column]` is in the features' order again."""
    df = np.bincount(x.indices, minlength=x.shape[1])
    order = np.argsort(-df, kind="stable")  # order[k]: the feature in the solver's column k
    column = np.empty(order.size, dtype=np.int64)
    column[order] = np.arange(order.size)
    solver_x = sparse.csr_matrix(
        (x.data.astype(np.float64), column[x.indices].astype(np.int32), x.indptr), shape=x.shape
    )
    return solver_x, column


def dumps(model: Model) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def loads(blob: bytes) -> Model:
    """A stored model; one of format 1 is converted (same features, same weights)."""
    model = joblib.load(io.BytesIO(bytes(blob)))
    if not isinstance(model, Model) or getattr(model, "format", None) not in FORMATS:
        raise ValueError("not a classifier of this version of Kesu")
    if model.format == 1:
        return from_format_1(model)
    return model


def from_format_1(old: Any) -> Model:
    """A format-1 model (scikit-learn vectorisers `chars` and `words` in it) as a format-2 one."""
    state = vars(old)
    features = vectoriser.from_tfidf(state["chars"], state["words"])
    targets = {
        name: Target(labels=list(t.labels), coef=np.asarray(t.coef, dtype=np.float32), intercept=t.intercept)
        for name, t in state["targets"].items()
    }
    for t in targets.values():
        if t.coef.shape[1] != features.n_features:
            raise ValueError("format-1 model with weights that do not fit its vocabulary")
    return Model(features=features, targets=targets)
