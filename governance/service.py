"""Governance as the rest of Tagline calls it: declare, remove, block and unblock tags, react to
ingests, recompute everything, answer "why". Every action reads only what it affects, writes only
what changed, and appends its audit entries in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from tagline.errors import InvalidInput
from tagline.governance.audit import ADDED, BLOCKED, REMOVED, UNBLOCKED, Trigger, change_entries, entry
from tagline.governance.policy import Policy, check_tag_name
from tagline.governance.propagation import Change, ColumnState, propagate
from tagline.governance.provenance import TagPath, tag_paths
from tagline.governance.state import column_states, declaration_props, effective_props, state_of
from tagline.governance.tags import tag_views
from tagline.governance.violations import Violation, find_violations
from tagline.graph.model import Column, ColumnRef, DeclaredTag, LineageBatch, display_name
from tagline.graph.records import WriteResult
from tagline.graph.schema import DERIVES, TAGS_BLOCKED, TAGS_DECLARED, TAGS_EFFECTIVE
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import iso, utcnow

Edit = Callable[[ColumnState], ColumnState]
TAGGED_PROPERTIES = (TAGS_DECLARED, TAGS_BLOCKED, TAGS_EFFECTIVE)


class GovernanceError(InvalidInput):
    """A request that cannot be applied as asked; the message says why and what to do."""


class StoreView:
    """Column states read from the lineage index in batches, with pending edits applied on top."""

    def __init__(self, store: GraphStore, edits: dict[str, Edit]) -> None:
        self.store = store
        self.edits = edits
        self.states: dict[str, ColumnState] = {}

    def _add(self, states: dict[str, ColumnState]) -> None:
        for key, state in states.items():
            self.states[key] = self.edits[key](state) if key in self.edits else state

    def load(self, keys: Iterable[str]) -> dict[str, ColumnState]:
        wanted = set(keys)
        missing = wanted - self.states.keys()
        if missing:
            self._add(column_states(self.store, missing))
        return {k: self.states[k] for k in wanted if k in self.states}


@dataclass
class Outcome:
    columns_changed: int = 0
    audit_entries: int = 0
    rejected: list[str] = field(default_factory=list)


class Governance:
    def __init__(self, store: GraphStore, policy: Policy | None = None) -> None:
        self.store = store
        self.policy = policy or Policy()

    # ---- the one way changes are applied ---------------------------------------------------
    def _apply(
        self,
        trigger: Trigger,
        edits: dict[str, Edit],
        seeds: Iterable[str],
        action: Callable[[dict[str, ColumnState], dict[str, Change]], list[dict[str, str]]] = lambda s, c: [],
        skip: dict[str, set[str]] | None = None,
        full: bool = False,
    ) -> Outcome:
        # Columns left marked by a write whose propagation never ran (a crash, another process)
        # join every propagation, and lose their mark in the same transaction as its result.
        pending = self.store.pending_columns()
        seeds = [*seeds, *self._reachable_by_tags(pending)]
        view = StoreView(self.store, edits)
        if full:
            seeds = [*seeds, *self._tagged_columns()]
        changes = propagate(view, seeds, self.policy)
        props = {k: declaration_props(view.states[k]) for k in edits if k in view.states}
        for key, change in changes.items():
            props.setdefault(key, {}).update(effective_props(self.policy, change.after))

        entries = action(view.states, changes)
        for key, change in sorted(changes.items()):
            entries.extend(change_entries(self.policy, key, change, trigger, (skip or {}).get(key, set())))
        if props or entries or pending:
            self.store.update_tags(props, entries, settled=pending)
        return Outcome(columns_changed=len(changes), audit_entries=len(entries))

    @staticmethod
    def trigger(actor: str, description: str) -> Trigger:
        return Trigger(actor=actor, at=iso(utcnow()), description=description)

    def _ensure_columns(self, refs: Iterable[ColumnRef]) -> None:
        """Tags may be declared before any lineage names the column: create it then."""
        wanted = {r.key: r for r in refs}
        missing = wanted.keys() - self.store.find(wanted).keys()
        if missing:
            self.store.write(LineageBatch(columns=[Column(**wanted[k].model_dump()) for k in sorted(missing)]))

    def _existing(self, ref: ColumnRef) -> ColumnState:
        found = column_states(self.store, [ref.key])
        if ref.key not in found:
            raise GovernanceError(f"no column {ref}; check the names, or ingest its lineage first")
        return found[ref.key]

    # ---- declarations ---------------------------------------------------------------------------
    def declare(self, ref: ColumnRef, tag: str, actor: str, why: str | None = None) -> Outcome:
        return self.declare_many([DeclaredTag(column=ref, tag=tag)], actor, why)

    def declare_many(self, tags: Iterable[DeclaredTag], actor: str, why: str | None = None) -> Outcome:
        wanted: dict[str, set[str]] = {}
        refs = {}
        for declared in tags:
            wanted.setdefault(declared.column.key, set()).add(check_tag_name(declared.tag))
            refs[declared.column.key] = declared.column
        if not wanted:
            return Outcome()
        self._ensure_columns(refs.values())
        current = column_states(self.store, wanted)
        new = {k: t - current[k].declared for k, t in wanted.items() if t - current[k].declared}
        if not new:
            return Outcome()
        reason = f": {why}" if why else ""
        trigger = self.trigger(actor, f"{actor} declared tags{reason}")
        edits = {k: _edit_declared(t, add=True) for k, t in new.items()}

        def action(states: dict[str, ColumnState], changes: dict[str, Change]) -> list[dict[str, str]]:
            return [
                entry(trigger, k, t, ADDED, f"declared by {actor}{reason}") for k in sorted(new) for t in sorted(new[k])
            ]

        return self._apply(trigger, edits, new, action, skip=new)

    def remove(self, ref: ColumnRef, tag: str, actor: str, why: str | None = None) -> Outcome:
        state = self._existing(ref)
        if tag not in state.declared:
            views = tag_views(state.effective)
            hint = " It is inherited; block it to stop it here." if tag in views else ""
            raise GovernanceError(f"tag {tag!r} is not declared on {ref}.{hint}")
        reason = f": {why}" if why else ""
        trigger = self.trigger(actor, f"{actor} removed the declaration of {tag} on {ref}{reason}")

        def action(states: dict[str, ColumnState], changes: dict[str, Change]) -> list[dict[str, str]]:
            after = changes[ref.key].after if ref.key in changes else state.effective
            remaining = tag_views(after).get(tag)
            still = (
                f"; still inherited from {', '.join(sorted({display_name(i.source) for i, _ in remaining.support}))}"
                if remaining
                else ""
            )
            return [entry(trigger, ref.key, tag, REMOVED, f"declaration removed by {actor}{reason}{still}")]

        return self._apply(
            trigger, {ref.key: _edit_declared({tag}, add=False)}, [ref.key], action, skip={ref.key: {tag}}
        )

    # ---- blocks ---------------------------------------------------------------------------------
    def block(
        self, ref: ColumnRef, tag: str, actor: str, why: str, source: ColumnRef | None = None, unblock: bool = False
    ) -> Outcome:
        """Block (or lift a block on) ``tag`` at a column, or only on the edges into it from ``source``."""
        check_tag_name(tag)
        if not why or not why.strip():
            raise GovernanceError("a block or unblock needs a justification (--why / justification)")
        state = self._existing(ref)
        edges = [f.edge for f in state.inputs if source is not None and f.source == source.key]
        if source is not None and not edges:
            raise GovernanceError(f"no lineage edge from {source} into {ref}")
        where = f"on the edges from {source}" if source else "at this column"
        blocked_now = all(tag in state.edge_blocks.get(e, ()) for e in edges) if source else tag in state.column_blocks
        if blocked_now != unblock:
            raise GovernanceError(f"{tag!r} is {'not ' if unblock else 'already '}blocked {where} of {ref}")
        verb = "unblocked" if unblock else "blocked"
        trigger = self.trigger(actor, f"{actor} {verb} {tag} {where} of {ref}: {why}")

        def edit(s: ColumnState) -> ColumnState:
            if source is None:
                blocks = s.column_blocks - {tag} if unblock else s.column_blocks | {tag}
                return replace(s, column_blocks=blocks)
            eb = dict(s.edge_blocks)
            for e in edges:
                eb[e] = eb.get(e, frozenset()) - {tag} if unblock else eb.get(e, frozenset()) | {tag}
            return replace(s, edge_blocks=eb)

        def action(states: dict[str, ColumnState], changes: dict[str, Change]) -> list[dict[str, str]]:
            return [
                entry(trigger, ref.key, tag, UNBLOCKED if unblock else BLOCKED, f"{verb} {where} by {actor}: {why}")
            ]

        return self._apply(trigger, {ref.key: edit}, [ref.key], action)

    # ---- ingest and full passes -----------------------------------------------------------------
    def after_write(self, result: WriteResult, actor: str) -> Outcome:
        """Declarations a source sent with its lineage, then propagation over the new edges."""
        rejected = []
        valid = []
        for declared in result.declared:
            try:
                check_tag_name(declared.tag)
                valid.append(declared)
            except ValueError as exc:
                rejected.append(f"{declared.column}: {exc}")
        outcome = self.declare_many(valid, actor, "declared by the source") if valid else Outcome()
        # The write marked every column whose incoming lineage changed (and an earlier write whose
        # propagation never ran may have left marks too): _apply takes them all as seeds.
        trigger = self.trigger(actor, _write_description(actor, result))
        more = self._apply(trigger, {}, ())
        outcome.columns_changed += more.columns_changed
        outcome.audit_entries += more.audit_entries
        outcome.rejected = rejected
        return outcome

    def after_edges_removed(self, count: int, actor: str) -> Outcome:
        """Lineage that went away (expired ad-hoc edges): withdraw what only it supported. The
        removal marked the columns it touched, which _apply takes as seeds."""
        if not count:
            return Outcome()
        trigger = self.trigger(actor, f"{actor} removed {count} expired column edges")
        return self._apply(trigger, {}, ())

    def _reachable_by_tags(self, pending: list[str]) -> set[str]:
        """The pending columns whose tags can change: those that declare, block or hold a tag, or
        read from a column that does. Any other gets nothing from its new lineage but what a seed
        upstream of it brings, and propagation from that seed reaches it anyway. (A bulk load
        leaves a million pending columns, nearly all of them untagged.)"""
        return self.store.near_properties(pending, TAGGED_PROPERTIES)

    def _tagged_columns(self) -> set[str]:
        """Every column that declares, blocks or holds a tag. A full recomputation starts from
        these alone and gives what starting from every column gives: an item is born only where a
        tag is declared and reaches only what lies downstream of it, and every column holding an
        item (maybe a stale one) is among these, so each is invalidated and derived again."""
        return {k for name in TAGGED_PROPERTIES for k in self.store.column_keys(having=name)}

    def propagate_full(self, actor: str) -> Outcome:
        """Recompute every column from scratch: after a policy change, or to check the store."""
        trigger = self.trigger(actor, "a full recomputation (policy change or check)")
        return self._apply(trigger, {}, (), full=True)

    # ---- questions ------------------------------------------------------------------------------
    def why(self, ref: ColumnRef, tag: str) -> list[TagPath]:
        state = self._existing(ref)
        if tag not in tag_views(state.effective):
            raise GovernanceError(
                f"{ref} does not carry {tag!r}; its tags: {', '.join(tag_views(state.effective)) or 'none'}"
            )
        return tag_paths(lambda keys: column_states(self.store, keys), [(ref.key, tag)])[0]

    def violations(self) -> list[Violation]:
        keys = self.store.column_keys(having=TAGS_EFFECTIVE)
        lineage = self.store.column_lineage(keys)
        columns = {k: (props, state_of(props, inputs, outputs)) for k, (props, inputs, outputs) in lineage.items()}
        return find_violations(self.policy, columns, self.store.datasets_with_readers())


# Retired edges named one by one in an audit cause; beyond these, only how many more.
NAMED_RETIRED = 5


def _write_description(actor: str, result: WriteResult) -> str:
    """What a write did to lineage, in words for the audit: the new edges, and each edge it retired
    with the job that no longer reports it."""
    text = f"{actor} ingested {len(result.new_column_edges)} new column edges"
    retired = [r for r in result.retired if r.label == DERIVES]
    if not retired:
        return text
    named = "; ".join(
        f"{display_name(r.source)} -> {display_name(r.target)} of job {display_name(r.job)}, closed at {r.at}"
        for r in retired[:NAMED_RETIRED]
    )
    more = f"; and {len(retired) - NAMED_RETIRED} more" if len(retired) > NAMED_RETIRED else ""
    return f"{text} and retired {len(retired)} ({named}{more})"


def _edit_declared(tags: set[str], add: bool) -> Edit:
    def edit(state: ColumnState) -> ColumnState:
        return replace(state, declared=state.declared | tags if add else state.declared - tags)

    return edit
