"""The tags file the demo ships and `tagline tag import` reads:
``{"tags": [{"namespace", "dataset", "field", "tags": [...]}]}``."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from tagline.errors import InvalidInput
from tagline.graph.model import ColumnRef, DeclaredTag


class _Entry(BaseModel):
    namespace: str
    dataset: str
    field: str
    tags: list[str]


class _TagFile(BaseModel):
    tags: list[_Entry]


def read_tag_file(path: Path) -> list[DeclaredTag]:
    try:
        parsed = _TagFile.model_validate(json.loads(path.read_text()))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        raise InvalidInput(f"cannot read tags file {path}: {exc}") from exc
    return [
        DeclaredTag(column=ColumnRef(namespace=e.namespace, dataset=e.dataset, field=e.field), tag=tag)
        for e in parsed.tags
        for tag in e.tags
    ]
