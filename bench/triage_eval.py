"""Triage intelligence measured in the open (issue 10): `python -m bench.triage_eval`, and a step
of `make bench` (bench/run.py).

On the data in /work/shared/data with a fixed train/test split (seeded, 80/20, stratified):
- category macro-F1 of Kesu's classifier (kesu/triage/classifier.py) beside a plain TF-IDF +
  logistic-regression baseline trained on the same split: CFPB product (narratives), 12365auto
  problem group (single-group titles), online-shopping category (zh_reviews_sophonplus);
- `major` recall and precision of the severity rules + classifier on our own labelled evaluation
  set (kesu/triage/evaluation.py), development and held-out parts apart;
- duplicate precision/recall of the text-similarity measure on zh_cs_question_pairs (BQ test);
- classification time per complaint (one core) and training time on 100,000 complaints.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

DATA_ROOT = Path(os.environ.get("KESU_BENCH_DATA", "/work/shared/data"))
SEED = 20261201
csv.field_size_limit(sys.maxsize)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def cfpb() -> tuple[list[str], list[str]]:
    """CFPB narratives by product, the pre-2017 names folded into the current ones."""
    fold = {
        "Credit reporting": "Credit reporting, credit repair services, or other personal consumer reports",
        "Credit card": "Credit card or prepaid card",
        "Prepaid card": "Credit card or prepaid card",
        "Payday loan": "Payday loan, title loan, or personal loan",
        "Bank account or service": "Checking or savings account",
        "Money transfers": "Money transfer, virtual currency, or money service",
        "Consumer Loan": "Vehicle loan or lease",
        "Consumer loan": "Vehicle loan or lease",
    }
    texts, labels = [], []
    for row in _rows(DATA_ROOT / "cfpb_consumer_complaints_en" / "cfpb_complaints_merged.csv.gz"):
        text = (row.get("Consumer complaint narrative") or "").strip()
        if text:
            texts.append(text[:4000])
            labels.append(fold.get(row["Product"], row["Product"]))
    return _keep_classes(texts, labels, minimum=30)


def car() -> tuple[list[str], list[str]]:
    """12365auto complaint titles with exactly one problem group (A engine, B gearbox, …)."""
    texts, labels = [], []
    for row in _rows(DATA_ROOT / "zh_car_complaints_12365auto" / "car_complaints_12365auto.csv.gz"):
        groups = [g for g in (row.get("problem_groups") or "").split(",") if g]
        if len(groups) == 1 and row["desc"].strip():
            texts.append(row["desc"].strip())
            labels.append(groups[0])
    return _keep_classes(texts, labels, minimum=20)


def shopping() -> tuple[list[str], list[str]]:
    """online_shopping_10_cats reviews (both polarities) by product category."""
    texts, labels = [], []
    for row in _rows(DATA_ROOT / "zh_reviews_sophonplus" / "online_shopping_10_cats.csv.gz"):
        text = (row.get("review") or "").strip()
        if text:
            texts.append(text)
            labels.append(row["cat"])
    return texts, labels


def _keep_classes(texts: list[str], labels: list[str], *, minimum: int) -> tuple[list[str], list[str]]:
    counts = Counter(labels)
    kept = [(t, y) for t, y in zip(texts, labels, strict=True) if counts[y] >= minimum]
    return [t for t, _ in kept], [y for _, y in kept]


DATASETS = {
    "cfpb_product": ("CFPB product (English narratives)", cfpb),
    "car_problem_group": ("12365auto problem group (Chinese titles)", car),
    "shopping_category": ("online-shopping category (Chinese reviews)", shopping),
}


def split(texts: list[str], labels: list[str]) -> tuple[list[str], list[str], list[str], list[str]]:
    from sklearn.model_selection import train_test_split

    a, b, c, d = train_test_split(texts, labels, test_size=0.2, random_state=SEED, stratify=labels)
    return list(a), list(b), list(c), list(d)


def baseline(train_x: list[str], train_y: list[str], test_x: list[str]) -> list[str]:
    """The plain baseline: scikit-learn's default TF-IDF and logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer()
    model = LogisticRegression(max_iter=1000)
    model.fit(vectorizer.fit_transform(train_x), train_y)
    return [str(v) for v in model.predict(vectorizer.transform(test_x))]


def category_figures(quick: bool = False) -> dict[str, Any]:
    from sklearn.metrics import f1_score

    from kesu.triage import classifier

    out: dict[str, Any] = {}
    for key, (title, loader) in DATASETS.items():
        texts, labels = loader()
        if quick and len(texts) > 8000:
            rng = random.Random(SEED)
            picked = sorted(rng.sample(range(len(texts)), 8000))
            texts, labels = [texts[i] for i in picked], [labels[i] for i in picked]
        train_x, test_x, train_y, test_y = split(texts, labels)
        started = time.perf_counter()
        base = baseline(train_x, train_y, test_x)
        base_seconds = time.perf_counter() - started
        started = time.perf_counter()
        model = classifier.train(train_x, {"category": train_y})
        ours_train = time.perf_counter() - started
        started = time.perf_counter()
        ours = [p.label for p in model.predict("category", test_x)]
        ours_predict = time.perf_counter() - started
        out[key] = {
            "title": title,
            "classes": len(set(labels)),
            "train": len(train_x),
            "test": len(test_x),
            "baseline_macro_f1": round(float(f1_score(test_y, base, average="macro")), 4),
            "kesu_macro_f1": round(float(f1_score(test_y, ours, average="macro")), 4),
            "baseline_seconds": round(base_seconds, 1),
            "kesu_train_seconds": round(ours_train, 1),
            "kesu_batch_ms_per_text": round(ours_predict * 1000 / max(1, len(test_x)), 3),
        }
        print(f"[triage] {key}: {out[key]}", flush=True)
    return out


def single_timing() -> dict[str, Any]:
    """One complaint at a time, as at intake: normalise, vectorise, both targets, explanation."""
    from kesu.triage import classifier

    texts, labels = shopping()
    rng = random.Random(SEED)
    picked = rng.sample(range(len(texts)), 6000)
    train_x = [texts[i] for i in picked[:5000]]
    train_y = [labels[i] for i in picked[:5000]]
    severity = ["major" if i % 7 == 0 else ("serious" if i % 5 == 0 else "general") for i in range(5000)]
    model = classifier.train(train_x, {"category": train_y, "severity": severity})
    probe = [texts[i] for i in picked[5000:]]
    for text in probe[:50]:
        model.predict_all(text)
    started = time.perf_counter()
    for text in probe:
        model.predict_all(text)
    per = (time.perf_counter() - started) * 1000 / len(probe)
    return {"ms_per_complaint": round(per, 3), "complaints": len(probe)}


def training_time(count: int = 100_000) -> dict[str, Any]:
    """Training on `count` complaints (shopping reviews, car titles and CFPB narratives cut to
    a complaint's length, sampled with replacement), category and severity targets."""
    from kesu.triage import classifier

    pool_x, pool_y = shopping()
    car_x, car_y = car()
    cfpb_x, cfpb_y = cfpb()
    pool_x += car_x + [t[:600] for t in cfpb_x]
    pool_y += car_y + cfpb_y
    rng = random.Random(SEED)
    picked = [rng.randrange(len(pool_x)) for _ in range(count)]
    texts = [pool_x[i] for i in picked]
    categories = [pool_y[i] for i in picked]
    severity = ["major" if rng.random() < 0.05 else ("serious" if rng.random() < 0.2 else "general") for _ in picked]
    started = time.perf_counter()
    classifier.train(texts, {"category": categories, "severity": severity})
    seconds = time.perf_counter() - started
    return {"complaints": count, "seconds": round(seconds, 1), "mean_chars": round(sum(map(len, texts)) / count)}


def severity_figures() -> dict[str, Any]:
    """The rules alone, and the rules with a severity classifier trained on the development part
    (major vs not), on both parts; the held-out part is never trained or tuned on."""
    from kesu.triage import classifier
    from kesu.triage.evaluation import DEV, evaluate_severity

    out = evaluate_severity()
    model = classifier.train([c.text for c in DEV], {"severity": ["major" if c.major else "general" for c in DEV]})
    combined = evaluate_severity(model=model)
    out["with_classifier"] = {part: combined[part] for part in ("dev", "heldout")}
    return out


def duplicate_figures() -> dict[str, Any]:
    from kesu.triage.duplicates import DEFAULT_SIMILARITY, text_similarity

    out: dict[str, Any] = {"threshold": DEFAULT_SIMILARITY}
    for name in ("bq_corpus_test", "atec_nlp_sim_train"):
        tp = fp = fn = tn = 0
        for row in _rows(DATA_ROOT / "zh_cs_question_pairs" / f"{name}.csv.gz"):
            same = row["label"] == "1"
            said = text_similarity(row["sentence1"], row["sentence2"]) >= DEFAULT_SIMILARITY
            tp += same and said
            fp += (not same) and said
            fn += same and not said
            tn += (not same) and not said
        out[name] = {
            "pairs": tp + fp + fn + tn,
            "precision": round(tp / max(1, tp + fp), 4),
            "recall": round(tp / max(1, tp + fn), 4),
        }
    return out


def run(*, quick: bool = False, train_count: int = 100_000) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    results: dict[str, Any] = {}
    results["severity"] = severity_figures()
    print(f"[triage] severity: {results['severity']}", flush=True)
    results["duplicates"] = duplicate_figures()
    print(f"[triage] duplicates: {results['duplicates']}", flush=True)
    results["categories"] = category_figures(quick=quick)
    results["timing"] = single_timing()
    print(f"[triage] timing: {results['timing']}", flush=True)
    results["training"] = training_time(20_000 if quick else train_count)
    print(f"[triage] training: {results['training']}", flush=True)
    return results


def markdown(results: dict[str, Any]) -> str:
    lines = ["", "## Triage intelligence (issue 10: classifier, major recall, duplicates)", ""]
    lines.append(
        "Measured by `python -m bench.triage_eval` (also a step of `make bench`), one core, fixed 80/20 split."
    )
    lines.append("")
    lines.append("| data set | classes | train / test | baseline macro-F1 | Kesu macro-F1 | target |")
    lines.append("| --- | ---: | ---: | ---: | ---: | --- |")
    for figures in results["categories"].values():
        met = "met" if figures["kesu_macro_f1"] > figures["baseline_macro_f1"] else "**missed**"
        lines.append(
            f"| {figures['title']} | {figures['classes']} | {figures['train']:,} / {figures['test']:,} | "
            f"{figures['baseline_macro_f1']:.3f} | {figures['kesu_macro_f1']:.3f} | above baseline: {met} |"
        )
    lines.append("")
    sev = results["severity"]
    lines.append("| severity `major` (own evaluation set) | cases | recall | precision | missed |")
    lines.append("| --- | ---: | ---: | ---: | --- |")
    for label, figures in (("rules", sev), ("rules + classifier", sev.get("with_classifier", {}))):
        for part in ("dev", "heldout"):
            if part not in figures:
                continue
            f = figures[part]
            missed = "; ".join(f["missed"][:6]) or "none"
            alarms = len(f["false_alarms"])
            lines.append(
                f"| {label}, {part} part | {f['cases']} ({f['major']} major) | {f['recall']:.3f} | "
                f"{f['precision']:.3f} | {missed} ({alarms} false alarms) |"
            )
    lines.append("")
    dup = results["duplicates"]
    lines.append(f"Duplicate text similarity at threshold {dup['threshold']}:")
    for name in ("bq_corpus_test", "atec_nlp_sim_train"):
        f = dup[name]
        lines.append(f"- {name}: {f['pairs']:,} pairs, precision {f['precision']:.3f}, recall {f['recall']:.3f}")
    timing, training = results["timing"], results["training"]
    ok_time = "met" if timing["ms_per_complaint"] < 2 else "**missed**"
    ok_train = "met" if training["seconds"] < 60 else "**missed**"
    lines.append(
        f"- Classification, one complaint at a time (category with explanation + severity): "
        f"{timing['ms_per_complaint']:.2f} ms per complaint (target < 2 ms: {ok_time})."
    )
    lines.append(
        f"- Training on {training['complaints']:,} complaints (mean {training['mean_chars']} characters, "
        f"both targets): {training['seconds']:.1f} s (target < 60 s: {ok_train})."
    )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--train-count", type=int, default=100_000)
    parser.add_argument("--json", type=Path, default=Path("bench/out/triage.json"))
    args = parser.parse_args(argv)
    results = run(quick=args.quick, train_count=args.train_count)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
