"""Category and severity suggestions from the organisation's own classifier, beside the rules
(issue 10, SPEC CL-1, CL-2).

- `advise` is a read: the rules' suggestion, the active classifier version's category (levels
  1–3) and severity with their confidence and the words that led to them. Below the policy's
  minimum confidence the classifier suggests nothing; a rule hit on a major criterion always
  wins (recall first); with no trained model the rules alone decide.
- `intake_rows` / `record_reclassification` store what was suggested and what staff chose
  instead (the overrides are the next model's labels).
- `train_classifier` trains a new version on the closed complaints and the corrected ones.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from kesu.audit.services import audit_record
from kesu.core.reference import remembered
from kesu.triage import classifier
from kesu.triage.models import (
    SEVERITY_RANK,
    Category,
    ClassifierVersion,
    OverrideField,
    Severity,
    TriageOverride,
    TriagePolicy,
    TriageSuggestion,
)
from kesu.triage.services import SeveritySuggestion, suggest_severity

logger = logging.getLogger(__name__)

MAX_CATEGORY_LEVEL = 3  # levels 1–3 are chosen at intake (CL-1); level 4 after the facts
MIN_TRAINING_COMPLAINTS = 20
MAX_TRAINING_COMPLAINTS = 200_000
MAX_TEXT = 2000

_cache_lock = threading.Lock()
_cache: dict[str, Any] = {"pk": None, "model": None}


def complaint_text(*, title: str = "", description: str = "", demand: str = "", product: str = "") -> str:
    return " ".join(p for p in (title, description, demand, product) if p)[:MAX_TEXT]


def category_label(code: str) -> str:
    return ".".join(code.split(".")[:MAX_CATEGORY_LEVEL])


@dataclass
class CategoryAdvice:
    category: Category
    confidence: float
    words: list[str] = field(default_factory=list)


@dataclass
class Advice:
    rule: SeveritySuggestion
    severity: str
    source: str  # "rule", "model" or "default"
    severity_confidence: float | None = None
    severity_words: list[str] = field(default_factory=list)
    model_severity: str = ""
    category: CategoryAdvice | None = None
    version: ClassifierVersion | None = None
    fallback: str = ""  # why the classifier said nothing: "no_model", "low_confidence" or ""

    @property
    def rule_won(self) -> bool:
        return self.source == "rule" and self.rule.severity == Severity.MAJOR


def active_model() -> tuple[ClassifierVersion, classifier.Model] | None:
    """The newest active version and its model (kept in memory until a newer one appears)."""
    row = remembered(
        "triage.active_classifier",
        lambda: ClassifierVersion.objects.filter(active=True).defer("blob").order_by("-version").first(),
    )
    if row is None:
        return None
    with _cache_lock:
        if _cache["pk"] == row.pk:
            return row, _cache["model"]
    blob = ClassifierVersion.objects.values_list("blob", flat=True).get(pk=row.pk)
    try:
        model = classifier.loads(bytes(blob))
    except Exception:  # a version written by another release of Kesu: the rules alone decide
        logger.warning("classifier version %s could not be loaded", row.version)
        return None
    with _cache_lock:
        _cache.update(pk=row.pk, model=model)
    return row, model


def advise(*, text: str, channel: str, policy: TriagePolicy | None = None) -> Advice:
    rule = suggest_severity(text=text, channel=channel)
    rule_source = "rule" if rule.rule else "default"
    advice = Advice(rule=rule, severity=rule.severity, source=rule_source)
    loaded = active_model() if text.strip() else None
    if loaded is None:
        advice.fallback = "no_model"
        return advice
    version, model = loaded
    threshold = (policy or remembered("triage.policy", TriagePolicy.current)).min_confidence
    advice.version = version
    low = False
    predictions = model.predict_all(text)
    if "severity" in predictions:
        s = predictions["severity"]
        if s.confidence >= threshold:
            advice.model_severity, advice.severity_confidence, advice.severity_words = s.label, s.confidence, s.words
            # Recall first: the model may raise the grading, never lower a rule's.
            if (
                rule.severity != Severity.MAJOR
                and SEVERITY_RANK[Severity(s.label)] > SEVERITY_RANK[Severity(rule.severity)]
            ):
                advice.severity, advice.source = s.label, "model"
        else:
            low = True
    if "category" in predictions:
        advice.category = _category_advice(predictions["category"], threshold)
        low = low or advice.category is None
    advice.fallback = "low_confidence" if low and advice.category is None and not advice.model_severity else ""
    return advice


def _category_advice(prediction: classifier.Prediction, threshold: float) -> CategoryAdvice | None:
    """The deepest category (levels 1–3) whose share of the probability reaches the threshold:
    when the model hesitates between two sub-categories, their parent is suggested."""
    totals: dict[str, float] = {}
    for code, p in prediction.distribution.items():
        parts = code.split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            totals[prefix] = totals.get(prefix, 0.0) + p
    eligible = [(code.count("."), p, code) for code, p in totals.items() if p >= threshold]
    if not eligible:
        return None
    _depth, confidence, code = max(eligible)
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        return None
    return CategoryAdvice(category=category, confidence=confidence, words=prediction.words)


# --- recording what was suggested and what staff chose ------------------------------------


def intake_rows(*, complaint: Any, advice: Advice, actor: Any, chose_severity: str, now: dt.datetime) -> list[Any]:
    """The suggestion, and the agent's choices that differ from it, unsaved: the intake writes them
    with its other new rows, in its transaction (kesu/core/inserts.py)."""
    suggested_category = advice.category.category if advice.category else None
    rows: list[Any] = [
        TriageSuggestion(
            complaint=complaint,
            model=advice.version,
            category=suggested_category,
            category_confidence=advice.category.confidence if advice.category else None,
            severity=advice.model_severity,
            severity_confidence=advice.severity_confidence,
            words=(advice.category.words if advice.category else []) + advice.severity_words,
            rule=advice.rule.rule,
            rule_matched=(advice.rule.matched or "")[:200],
            created_at=now,
        )
    ]
    if actor is None:
        return rows
    if suggested_category is not None and complaint.category_id and complaint.category_id != suggested_category.pk:
        rows.append(
            _override(
                complaint, OverrideField.CATEGORY, suggested_category.code, complaint.category.code, advice, actor, now
            )
        )
    if chose_severity and chose_severity != advice.severity:
        rows.append(_override(complaint, OverrideField.SEVERITY, advice.severity, chose_severity, advice, actor, now))
    return rows


def record_reclassification(
    *, complaint: Any, before: dict[str, Any], after: dict[str, Any], actor: Any, now: dt.datetime
) -> None:
    """Staff changed the category or severity after intake: a label for the next model."""
    suggestion = TriageSuggestion.objects.filter(complaint=complaint).select_related("category").first()
    for name in (OverrideField.CATEGORY, OverrideField.SEVERITY):
        if after.get(name) and after.get(name) != before.get(name):
            if name == OverrideField.CATEGORY:
                suggested = suggestion.category.code if suggestion and suggestion.category else ""
            else:
                suggested = (suggestion.severity if suggestion else "") or str(before.get(name) or "")
            TriageOverride.objects.create(
                complaint=complaint,
                field=name,
                suggested=suggested,
                chosen=str(after[name]),
                model=suggestion.model if suggestion else None,
                actor=actor,
                at=now,
            )


def _override(
    complaint: Any, name: str, suggested: str, chosen: str, advice: Advice, actor: Any, now: dt.datetime
) -> TriageOverride:
    return TriageOverride(
        complaint=complaint, field=name, suggested=suggested, chosen=chosen, model=advice.version, actor=actor, at=now
    )


# --- training -------------------------------------------------------------------------------


class NotEnoughData(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def training_set() -> tuple[list[str], list[str], list[str], list[float], int]:
    """Texts, category labels (levels 1–3), severity labels and weights: the closed complaints and
    every complaint staff corrected (their corrections weigh double)."""
    from kesu.complaints.models import Complaint, Status

    corrected = set(TriageOverride.objects.values_list("complaint_id", flat=True).distinct())
    rows = (
        Complaint.objects.filter(Q(status=Status.CLOSED) | Q(pk__in=corrected))
        .exclude(is_resolved_contact=True)
        .order_by("-received_at")
        .values_list("pk", "title", "description", "demand", "product_name", "category__code", "severity")[
            :MAX_TRAINING_COMPLAINTS
        ]
    )
    texts, categories, severities, weights = [], [], [], []
    for pk, title, description, demand, product, code, severity in rows:
        texts.append(complaint_text(title=title, description=description, demand=demand, product=product))
        categories.append(category_label(code) if code else "")
        severities.append(severity or "")
        weights.append(2.0 if pk in corrected else 1.0)
    return texts, categories, severities, weights, len(corrected)


def train_classifier(*, actor: Any, now: dt.datetime) -> ClassifierVersion:
    """Train, measure on a tenth held back (when there are enough), store as the next version."""
    texts, categories, severities, weights, corrected = training_set()
    if len(texts) < MIN_TRAINING_COMPLAINTS or len({c for c in categories if c}) < 2:
        raise NotEnoughData(
            _("Not enough closed complaints to train on: %(n)d, with at least two categories and %(min)d needed.")
            % {"n": len(texts), "min": MIN_TRAINING_COMPLAINTS}
        )
    order = list(range(len(texts)))
    random.Random(len(texts)).shuffle(order)
    test = set(order[: len(order) // 10]) if len(texts) >= 100 else set()
    train_idx = [i for i in order if i not in test]
    started = time.perf_counter()
    model = classifier.train(
        [texts[i] for i in train_idx],
        {"category": [categories[i] for i in train_idx], "severity": [severities[i] for i in train_idx]},
        weights=[weights[i] for i in train_idx],
    )
    seconds = time.perf_counter() - started
    metrics: dict[str, Any] = {"train_seconds": round(seconds, 2), "trained_on": len(train_idx), "held_back": len(test)}
    if test:
        metrics.update(
            _measure(model, [texts[i] for i in test], [categories[i] for i in test], [severities[i] for i in test])
        )
    blob = classifier.dumps(model)
    with transaction.atomic():
        last = ClassifierVersion.objects.aggregate(m=Max("version"))["m"] or 0
        row = ClassifierVersion.objects.create(
            version=last + 1,
            trained_at=now,
            trained_by=actor if getattr(actor, "pk", None) else None,
            samples=len(texts),
            overrides=corrected,
            metrics=metrics,
            blob=blob,
            active=True,
        )
        audit_record(
            actor=actor,
            action="classifier.train",
            object_type="classifier",
            object_id=f"v{row.version}",
            data={"samples": row.samples, "overrides": corrected, **metrics},
            at=now,
        )
    return row


def _measure(model: classifier.Model, texts: list[str], categories: list[str], severities: list[str]) -> dict[str, Any]:
    from sklearn.metrics import f1_score

    out: dict[str, Any] = {}
    for name, truth in (("category", categories), ("severity", severities)):
        pairs = [(t, y) for t, y in zip(texts, truth, strict=True) if y]
        predictions = model.predict(name, [t for t, _ in pairs])
        if predictions:
            said = [p.label for p in predictions]
            real = [y for _, y in pairs]
            out[f"{name}_macro_f1"] = round(float(f1_score(real, said, average="macro")), 4)
            out[f"{name}_accuracy"] = round(sum(a == b for a, b in zip(said, real, strict=True)) / len(real), 4)
    return out


def retrain_due(*, now: dt.datetime) -> bool:
    """The schedule: the policy's interval has passed since the last version (0: never)."""
    hours = TriagePolicy.current().retrain_hours
    if not hours:
        return False
    last = ClassifierVersion.objects.order_by("-version").values_list("trained_at", flat=True).first()
    return last is None or now - last >= dt.timedelta(hours=hours)
