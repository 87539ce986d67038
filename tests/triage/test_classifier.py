"""kesu.triage.classifier: the numpy features classify as the first format did; a stored model of
the first format is converted on load and classifies exactly as before."""

from __future__ import annotations

import numpy as np
import pytest

from kesu.triage import classifier
from tests.triage import format1
from tests.triage.test_intelligence import FOOD, LATE

ENGLISH_FEE = [
    "The bank charged an overdraft fee twice",
    "Unexpected monthly maintenance fee on my checking account",
    "They charged a late fee although I paid on time",
    "Hidden fees on my savings account",
    "Fee charged for a transfer that never happened",
]
ENGLISH_CARD = [
    "My credit card was used without my permission",
    "Fraudulent charges on my credit card statement",
    "The card company ignored my dispute about a charge",
    "Someone stole my card number and bought things online",
    "Credit card limit lowered without notice",
]
TEXTS = FOOD + LATE + ENGLISH_FEE + ENGLISH_CARD
CATEGORIES = ["food"] * 10 + ["late"] * 10 + ["fee"] * 5 + ["card"] * 5
SEVERITY = (["serious", "general"] * 15)[: len(TEXTS)]
PROBES = [
    "牛奶过期变质了，有异味",
    "快遞還沒送到，物流不更新",
    "面包发霉了",
    "包裹五天没动静",
    "Another overdraft fee on my account",
    "Fraud on my credit card",
    "完全无关的一句话",
    "",
    "ＡＢＣ",
]


@pytest.fixture(scope="module")
def old():
    return format1.train(TEXTS, {"category": CATEGORIES, "severity": SEVERITY})


def test_a_stored_format_1_model_is_converted_and_classifies_exactly_as_before(old):
    converted = classifier.loads(format1.dumps(old))

    assert converted.format == classifier.FORMAT == 2
    for text in PROBES:
        before, after = format1.predict_all(old, text), converted.predict_all(text)
        assert before.keys() == after.keys()
        for name in before:
            assert (after[name].label, after[name].words) == (before[name].label, before[name].words)
            assert after[name].confidence == pytest.approx(before[name].confidence, abs=1e-5)
            assert after[name].distribution == pytest.approx(before[name].distribution, abs=1e-5)


def test_batch_and_single_predictions_agree(old):
    converted = classifier.loads(format1.dumps(old))

    batch = converted.predict("category", PROBES, explain=True)
    single = [converted.predict_all(text)["category"] for text in PROBES]
    assert [(p.label, p.words) for p in batch] == [(p.label, p.words) for p in single]
    assert [p.confidence for p in batch] == pytest.approx([p.confidence for p in single], abs=1e-6)


def test_a_new_model_suggests_what_the_first_format_suggested(old):
    new = classifier.loads(classifier.dumps(classifier.train(TEXTS, {"category": CATEGORIES, "severity": SEVERITY})))

    assert new.format == 2
    for text in PROBES:
        before, after = format1.predict_all(old, text), new.predict_all(text)
        assert after["category"].label == before["category"].label
        # A looser solver tolerance: the same model up to small differences in the weights.
        assert after["category"].confidence == pytest.approx(before["category"].confidence, abs=0.05)


def test_the_features_of_training_are_the_first_formats():
    model = classifier.train(TEXTS, {"category": CATEGORIES})
    _chars, _words, reference = format1.features(TEXTS)

    assert abs(model.transform(TEXTS) - reference).max() < 1e-6


def test_two_classes_empty_text_and_a_text_without_known_features():
    model = classifier.train(FOOD + LATE, {"category": ["food"] * 10 + ["late"] * 10})

    for text in ["牛奶过期了", "", "龘靐齉"]:
        prediction = model.predict_all(text)["category"]
        assert prediction.label in {"food", "late"}
        assert sum(prediction.distribution.values()) == pytest.approx(1.0)
    assert model.predict_all("牛奶过期了")["category"].label == "food"
    assert model.predict_all("")["category"].words == []
    assert model.predict("missing", ["x"]) == []


def test_what_is_not_a_classifier_of_a_known_format_is_refused(old):
    import copy
    import io

    import joblib

    unknown = copy.copy(old)
    unknown.__dict__["format"] = 99
    buffer = io.BytesIO()
    joblib.dump(unknown, buffer)
    with pytest.raises(ValueError):
        classifier.loads(buffer.getvalue())
    buffer = io.BytesIO()
    joblib.dump({"not": "a model"}, buffer)
    with pytest.raises(ValueError):
        classifier.loads(buffer.getvalue())
    assert np.asarray(classifier.loads(format1.dumps(old)).targets["category"].coef).dtype == np.float32


def test_rare_features_are_dropped_as_the_training_set_grows():
    assert [classifier.min_df(n) for n in (199, 200, 59_999, 60_000, 100_000)] == [1, 2, 2, 3, 5]


def test_the_solver_matrix_is_the_training_matrix_with_its_columns_renumbered():
    model = classifier.train(TEXTS, {"category": CATEGORIES})
    x = model.transform(TEXTS)

    solver_x, column = classifier.solver_matrix(x)

    assert solver_x.dtype == np.float64
    assert abs(solver_x[:, column] - x).max() == 0
    frequency = np.bincount(solver_x.indices, minlength=solver_x.shape[1])
    assert (np.diff(frequency) <= 0).all()  # the most frequent features first
