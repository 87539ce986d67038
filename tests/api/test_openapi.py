"""The committed OpenAPI document (docs/openapi.json) is what the code serves: an API change
shows up in review. Regenerate with `make openapi`."""

from __future__ import annotations

import json
from pathlib import Path

from kesu.api.api import api

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_openapi_document_matches_the_code(client):
    served = client.get("/api/v1/openapi.json").json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, "the API changed: run `make openapi` and commit docs/openapi.json"


def test_every_contract_path_is_documented():
    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/health",
        "/api/v1/complaints",
        "/api/v1/complaints/{number}",
        "/api/v1/complaints/{number}/transitions",
        "/api/v1/public/complaints",
        "/api/v1/public/complaints/{number}",
    ):
        assert path in paths
