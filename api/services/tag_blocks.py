"""Blocking a tag and lifting the block, one way for every front end: the GraphQL mutations
(``blockTag``/``unblockTag``) and the CLI (``tagline tag block``/``unblock``) each build a
:class:`TagBlock` from their own input and apply it; the rule itself is :meth:`Governance.block`."""

from __future__ import annotations

from dataclasses import dataclass

from tagline.governance.service import Governance, Outcome
from tagline.graph.model import ColumnRef


@dataclass(frozen=True)
class TagBlock:
    """``tag`` (and its children) stopped at ``column``, or only on the edges into it from ``source``;
    ``lift`` takes such a block away again. The justification goes to the audit log."""

    column: ColumnRef
    tag: str
    justification: str
    source: ColumnRef | None = None
    lift: bool = False

    def apply(self, governance: Governance, actor: str) -> Outcome:
        return governance.block(self.column, self.tag, actor, self.justification, self.source, unblock=self.lift)

    @property
    def done(self) -> str:
        """What was done, in a few words: "blocked pii" or "unblocked pii"."""
        return f"{'unblocked' if self.lift else 'blocked'} {self.tag}"
