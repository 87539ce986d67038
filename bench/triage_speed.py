"""How fast the triage classifier is (issue 10: under 2 ms per complaint on one core; training on
100,000 complaints under a minute): `python -m bench.triage_speed`.

- Classification: a model trained on 5,000 online-shopping reviews (category, and a severity
  target), then `--calls` single calls of `predict_all` (both targets, the category's words), one
  at a time as at intake, on reviews it was not trained on: median and p95 of the wall time per
  call, and the process CPU time per call (what a quiet core would take, roughly, on a loaded
  machine).
- Training: `classifier.train` on `--train` complaints (shopping reviews, 12365auto titles and CFPB
  narratives cut to 600 characters, sampled with replacement, as bench/triage_eval.py), category
  and severity targets: wall and CPU seconds.

Everything runs in one thread (OMP/BLAS threads set to 1 before numpy loads). The load average
(`uptime`) is printed with every figure: on a shared machine the wall times are inflated by it.
The script uses only `train`, `predict_all`, `dumps` and `loads` of kesu.triage.classifier, so the
same file run with another checkout first on PYTHONPATH times that checkout's classifier.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

SEED = 20261201


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:  # no uptime binary: the load average alone
        return "load average: " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def _say(message: str) -> None:
    print(f"[triage_speed] {message}", flush=True)


def classification(calls: int) -> dict[str, Any]:
    from bench.triage_eval import shopping
    from kesu.triage import classifier

    texts, labels = shopping()
    rng = random.Random(SEED)
    picked = rng.sample(range(len(texts)), 5000 + calls)
    train_x = [texts[i] for i in picked[:5000]]
    train_y = [labels[i] for i in picked[:5000]]
    severity = ["major" if i % 7 == 0 else ("serious" if i % 5 == 0 else "general") for i in range(5000)]
    model = classifier.loads(classifier.dumps(classifier.train(train_x, {"category": train_y, "severity": severity})))
    probe = [texts[i] for i in picked[5000:]]
    for text in probe[:50]:  # warm up (caches, first-call costs)
        model.predict_all(text)
    before = uptime()
    times = []
    cpu = time.process_time()
    for text in probe:
        started = time.perf_counter_ns()
        model.predict_all(text)
        times.append((time.perf_counter_ns() - started) / 1e6)
    cpu = time.process_time() - cpu
    times.sort()
    return {
        "calls": len(times),
        "mean_chars": round(sum(map(len, probe)) / len(probe)),
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 3),
        "max_ms": round(times[-1], 3),
        "cpu_ms_per_call": round(cpu * 1000 / len(times), 3),
        "uptime_before": before,
        "uptime_after": uptime(),
    }


def training(count: int) -> dict[str, Any]:
    from bench.triage_eval import SEED as EVAL_SEED
    from bench.triage_eval import car, cfpb, shopping
    from kesu.triage import classifier

    pool_x, pool_y = shopping()
    car_x, car_y = car()
    cfpb_x, cfpb_y = cfpb()
    pool_x += car_x + [t[:600] for t in cfpb_x]
    pool_y += car_y + cfpb_y
    rng = random.Random(EVAL_SEED)
    picked = [rng.randrange(len(pool_x)) for _ in range(count)]
    texts = [pool_x[i] for i in picked]
    categories = [pool_y[i] for i in picked]
    severity = ["major" if rng.random() < 0.05 else ("serious" if rng.random() < 0.2 else "general") for _ in picked]
    before = uptime()
    started, cpu = time.perf_counter(), time.process_time()
    classifier.train(texts, {"category": categories, "severity": severity})
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "complaints": count,
        "mean_chars": round(sum(map(len, texts)) / count),
        "seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "uptime_before": before,
        "uptime_after": uptime(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000, help="single classification calls (default 2000)")
    parser.add_argument(
        "--train",
        default="20000,100000",
        help="training set sizes, comma-separated; empty for none (default 20000,100000)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    import kesu.triage.classifier as module

    results: dict[str, Any] = {"classifier": module.__file__, "format": getattr(module, "FORMAT", None)}
    _say(f"classifier {results['classifier']} (format {results['format']})")
    if args.calls:
        results["classification"] = figures = classification(args.calls)
        _say(
            f"classification: {figures['calls']} single calls (mean {figures['mean_chars']} characters): "
            f"median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"CPU {figures['cpu_ms_per_call']} ms per call | {figures['uptime_after']}"
        )
    results["training"] = []
    for count in [int(c) for c in args.train.split(",") if c.strip()]:
        figures = training(count)
        results["training"].append(figures)
        _say(
            f"training on {count:,} complaints (mean {figures['mean_chars']} characters, both targets): "
            f"{figures['seconds']} s wall, {figures['cpu_seconds']} s CPU | before: {figures['uptime_before']} "
            f"| after: {figures['uptime_after']}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
