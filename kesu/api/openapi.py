"""Request bodies validated by domain code are still documented from their schemas."""

from __future__ import annotations

from typing import Any

from ninja import Schema


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].split("/")[-1]], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def json_body(schema: type[Schema], description: str = "") -> dict[str, Any]:
    raw = schema.model_json_schema()
    inlined = _inline(raw, raw.get("$defs", {}))
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": inlined}},
        }
    }
