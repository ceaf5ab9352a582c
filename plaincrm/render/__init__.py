"""Turning records into text, tables and JSON."""

from __future__ import annotations

import json
from typing import Any


def dumps_json(data: Any) -> str:
    """Stable JSON: sorted keys, two-space indent, UTF-8 text."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2)
