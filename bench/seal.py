"""`python -m bench.seal`: time `audit_seal()` over every pending audit record of the database
in DATABASE_URL (run by bench.run in a subprocess with the bench environment). Prints JSON."""

from __future__ import annotations

import json
import time

import django


def main() -> None:
    django.setup()
    from kesu.audit.models import AuditRecord
    from kesu.audit.services import audit_seal, audit_verify

    pending = AuditRecord.objects.filter(chain_seq__isnull=True).count()
    started = time.perf_counter()
    sealed = audit_seal()
    seal_seconds = time.perf_counter() - started
    started = time.perf_counter()
    verified = audit_verify()
    verify_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "pending_before": pending,
                "sealed": sealed,
                "seal_seconds": seal_seconds,
                "verify_ok": verified.ok,
                "verified": verified.checked,
                "verify_seconds": verify_seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
