from __future__ import annotations

from typing import Any

import pytest

from kesu.compensation.models import (
    CompensationStandard,
    HeldReceivable,
    LossAssessment,
    PettyCashVoucher,
    SupplierRecovery,
)
from tests.complaints.lifecycle import snapshot


@pytest.fixture(autouse=True)
def _no_sign_in_limit(settings):
    settings.KESU_LOGIN_RATE_LIMIT = "100000/60"


def everything() -> dict[str, Any]:
    """What any money write could touch."""
    return {
        **snapshot(),
        "vouchers": list(PettyCashVoucher.objects.order_by("id").values()),
        "receivables": list(HeldReceivable.objects.order_by("id").values()),
        "recoveries": list(SupplierRecovery.objects.order_by("id").values()),
        "assessments": list(LossAssessment.objects.order_by("id").values()),
        "standards": list(CompensationStandard.objects.order_by("id").values()),
    }
