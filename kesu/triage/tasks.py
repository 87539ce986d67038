from __future__ import annotations

import logging

from kesu.core import clock
from kesu.core.tasks import task

logger = logging.getLogger(__name__)


@task("train_classifier", every=3600.0)
def train_classifier() -> int | None:
    """Retrain the category and severity classifier when the policy's interval has passed (issue 10)."""
    from kesu.triage.intelligence import NotEnoughData, retrain_due
    from kesu.triage.intelligence import train_classifier as train

    now = clock.now()
    if not retrain_due(now=now):
        return None
    try:
        return train(actor=None, now=now).version
    except NotEnoughData as exc:
        logger.info("classifier not retrained: %s", exc.message)
        return None


@task("assess_escalation_risk", every=600.0)
def assess_escalation_risk() -> int:
    """Flag the open complaints likely to go to a regulator, the media or a court (上升风险)."""
    from kesu.triage.risk import sweep

    return sweep(now=clock.now())
