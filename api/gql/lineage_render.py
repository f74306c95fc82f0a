"""Nested lineage answered in one step: the whole subtree under an `upstream`/`downstream` field is
rendered from the lineage index straight into response data, and handed to the executor as is.

Why: graphql-core completes every field of every object one by one (80-130 µs per lineage edge
object), and a five-level nested answer repeats the same few hundred edges a thousand times. Here
the selection under the field is compiled once per request into a plan (fragments, aliases and
@skip/@include resolved), each distinct column and edge is rendered once per plan and shared
wherever it recurs, and the executor is told not to walk the result again (:class:`Prerendered`,
honoured by :class:`PrerenderingExecutionContext`). The public schema does not change.

Every object rendered is weighed (objects, bytes of JSON) once, shared subtrees by their expanded
size, and the field's answer is charged to the request's :class:`AnswerBudget`; past it, the answer
is cut to what still fits and an ``ANSWER_LIMIT`` error at the field's path says so.

A selection this module does not know how to render (a field added to the types later, tag
provenance, a dataset's columns, a depth out of range...) is answered the ordinary way, field by
field, with the same result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info

from tagline.api.gql.answer_budget import AnswerBudget, scalar_bytes
from tagline.api.services.node_ids import JOB, NodeId, node_id
from tagline.governance.state import tag_views_of
from tagline.graph import deadline
from tagline.graph.index.lineage_index import LineageIndex
from tagline.graph.intervals import VALID_FROM
from tagline.graph.records import Direction
from tagline.graph.schema import DERIVES, SENSITIVITY

# Renders one field of one item: a vertex or edge id, a property dict, a tag view.
Render = Callable[["Renderer", Any], Any]


TRANSFORMATION_PROPS = ("type", "subtype", "masking", "description")


class Prerendered:
    """A field's final response data, already shaped by its selection."""

    __slots__ = ("data",)

    def __init__(self, data: Any) -> None:
        self.data = data


class PrerenderingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Takes :class:`Prerendered` results as they are instead of completing them field by field."""

    def complete_value(
        self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any, position_context: Any
    ) -> Any:
        if type(result) is Prerendered:
            return result.data
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)


class Unsupported(Exception):
    """The selection holds something the renderer leaves to the ordinary executor."""


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


class Plan:
    """How to render one object type for one selection: (response key, render) pairs."""

    def __init__(self, fields: list[tuple[str, Render]]) -> None:
        self.fields = fields


class Renderer:
    """Compiles selections into plans and renders index rows with them, sharing repeated parts."""

    def __init__(self, info: Info[Any, Any], index: LineageIndex, max_depth: int, memo: dict[object, object]) -> None:
        raw = info._raw_info
        self.schema = raw.schema
        self.fragments = raw.fragments
        self.variables: dict[str, Any] = info.variable_values or {}
        # What graphql-core's argument coercion reads; strawberry hands resolvers the coerced dict.
        self.coerced = VariableValues(sources={}, coerced=self.variables)
        self.index = index
        self.max_depth = max_depth
        self.memo = memo
        # The expanded size (objects, bytes of JSON) of each object and list rendered in this
        # request, by id: they all stay alive in ``memo`` or inside what it holds.
        sizes = memo.setdefault("sizes", {})
        assert isinstance(sizes, dict)
        self.sizes: dict[int, tuple[int, int]] = sizes

    # ---- selections ----------------------------------------------------------------------------
    def _included(self, node: Any) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                raise Unsupported(f"@{name}")
            (argument,) = directive.arguments
            value = self._value(argument.value)
            if (name == "skip") == bool(value):
                return False
        return True

    def _value(self, node: Any) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, BooleanValueNode):
            return node.value
        raise Unsupported(type(node).__name__)

    def _collect(self, selection_sets: list[SelectionSetNode], type_name: str) -> dict[str, list[FieldNode]]:
        found: dict[str, list[FieldNode]] = {}

        def visit(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    found.setdefault(key, []).append(selection)
                    continue
                condition: NamedTypeNode | None
                if isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments[selection.name.value]
                    condition, inner = fragment.type_condition, fragment.selection_set
                else:
                    assert isinstance(selection, InlineFragmentNode)
                    condition, inner = selection.type_condition, selection.selection_set
                if condition is not None and condition.name.value != type_name:
                    raise Unsupported(f"fragment on {condition.name.value}")
                visit(inner)

        for selection_set in selection_sets:
            visit(selection_set)
        return found

    def plan(self, nodes: list[FieldNode], type_name: str) -> Plan:
        """The plan for the objects a field returns, from the field's nodes (memoised per request)."""
        memo_key = ("plan", type_name, tuple(id(n) for n in nodes))
        found = self.memo.get(memo_key)
        if found is None:
            sets = [n.selection_set for n in nodes if n.selection_set is not None]
            compile_type = getattr(self, f"_compile_{type_name}")
            fields = [(key, compile_type(group)) for key, group in self._collect(sets, type_name).items()]
            found = self.memo[memo_key] = Plan(fields)
        assert isinstance(found, Plan)
        return found

    def _arguments(self, type_name: str, node: FieldNode) -> dict[str, Any]:
        """The field's arguments as the executor coerces them: variables, defaults, ``5.0`` as 5."""
        definition = self.schema.get_type(type_name).fields[node.name.value]  # type: ignore[union-attr]
        try:
            return get_argument_values(definition, node, self.coerced)
        except GraphQLError as exc:
            raise Unsupported("arguments") from exc

    # ---- compiling, per type ---------------------------------------------------------------------
    def _compile_Column(self, nodes: list[FieldNode]) -> Render:
        name = nodes[0].name.value
        simple = {"namespace": "namespace", "dataset": "dataset", "field": "field"}
        if name in simple:
            prop = simple[name]
            return lambda r, v: r.index.vertex_prop(v, prop)
        if name in ("dataType", "description", "sensitivity"):
            prop = {"dataType": "data_type", "description": "description", "sensitivity": SENSITIVITY}[name]
            return lambda r, v: _text(r.index.vertex_prop(v, prop))
        if name == "__typename":
            return lambda r, v: "Column"
        if name == "id":
            return lambda r, v: node_id(r.index.record(v))
        if name == "tags":
            tag_plan = self.plan(nodes, "ColumnTag")
            return lambda r, v: r.tags(v, tag_plan)
        if name in ("upstream", "downstream"):
            args = self._arguments("Column", nodes[0])
            depth = args["depth"]
            direct_only = args["directOnly"]
            if not isinstance(depth, int) or not 1 <= depth <= self.max_depth or not isinstance(direct_only, bool):
                raise Unsupported("arguments")
            if args.get("asOf") is not None:
                raise Unsupported("asOf")  # rendered here are current edges only
            edge_plan = self.plan(nodes, "LineageEdge")
            direction: Direction = "in" if name == "upstream" else "out"
            return lambda r, v: r.edges(v, direction, depth, direct_only, edge_plan)
        raise Unsupported(f"Column.{name}")

    def _compile_ColumnTag(self, nodes: list[FieldNode]) -> Render:
        name = nodes[0].name.value
        if name in ("name", "origin", "masked", "__typename"):
            return lambda r, view: "ColumnTag" if name == "__typename" else getattr(view, name)
        raise Unsupported(f"ColumnTag.{name}")

    def _compile_LineageEdge(self, nodes: list[FieldNode]) -> Render:
        name = nodes[0].name.value
        if name in ("source", "target"):
            column_plan = self.plan(nodes, "Column")
            end: Direction = "out" if name == "source" else "in"
            return lambda r, e: r.column(r.index.edge_end(DERIVES, e, end), column_plan)
        if name == "transformation":
            plan = self.plan(nodes, "Transformation")
            return lambda r, e: r.render(plan, {n: r.index.edge_prop(DERIVES, e, n) for n in TRANSFORMATION_PROPS})
        if name in ("expression", "lastSeen", "validFrom"):
            props = {"expression": ("expression",), "lastSeen": ("last_seen",), "validFrom": (VALID_FROM, "first_seen")}
            found = props[name]
            return lambda r, e: _text(next(filter(None, (r.index.edge_prop(DERIVES, e, p) for p in found)), None))
        if name == "validTo":
            return lambda r, e: None  # rendered here are current edges only
        if name == "job":
            plan = self.plan(nodes, "Job")
            return lambda r, e: r.job(r.index.edge_prop(DERIVES, e, "job"), plan)
        if name == "__typename":
            return lambda r, e: "LineageEdge"
        raise Unsupported(f"LineageEdge.{name}")

    def _compile_Transformation(self, nodes: list[FieldNode]) -> Render:
        name = nodes[0].name.value
        getters: dict[str, Callable[[dict[str, Any]], Any]] = {
            "type": lambda p: str(p.get("type", "")),
            "subtype": lambda p: _text(p.get("subtype")),
            "masking": lambda p: bool(p.get("masking", False)),
            "description": lambda p: _text(p.get("description")),
            "__typename": lambda p: "Transformation",
        }
        if name not in getters:
            raise Unsupported(f"Transformation.{name}")
        getter = getters[name]
        return lambda r, props: getter(props)

    def _compile_Job(self, nodes: list[FieldNode]) -> Render:
        name = nodes[0].name.value
        props = {
            "namespace": "namespace",
            "name": "name",
            "description": "description",
            "schedule": "schedule",
            "lastRunAt": "last_run_at",
            "lastRunState": "last_run_state",
        }
        if name == "__typename":
            return lambda r, p: "Job"
        if name == "id":
            return lambda r, p: str(NodeId(JOB, p["namespace"], p["name"]))
        if name not in props:
            raise Unsupported(f"Job.{name}")
        prop = props[name]
        if name in ("namespace", "name"):
            return lambda r, p: p[prop]
        return lambda r, p: _text(p.get(prop))

    # ---- rendering -------------------------------------------------------------------------------
    def render(self, plan: Plan, item: Any) -> dict[str, Any]:
        """One object: each field of the plan rendered from ``item`` (a vertex or edge id, a
        property dict, a tag view), weighed."""
        rendered = {}
        objects, size = 1, 2
        for key, render in plan.fields:
            value = rendered[key] = render(self, item)
            inner_objects, inner_size = self.weigh(value)
            objects += inner_objects
            size += len(key) + 4 + inner_size
        self.sizes[id(rendered)] = (objects, size)
        return rendered

    def listed(self, items: list[Any]) -> list[Any]:
        """A list of rendered objects, weighed."""
        objects, size = 0, 2
        for item in items:
            inner_objects, inner_size = self.sizes[id(item)]
            objects += inner_objects
            size += inner_size + 1
        self.sizes[id(items)] = (objects, size)
        return items

    def weigh(self, value: Any) -> tuple[int, int]:
        """The expanded size of a rendered value: objects in it and bytes of its JSON."""
        if type(value) is dict or type(value) is list:
            return self.sizes[id(value)]
        return 0, scalar_bytes(value)

    def fit(self, value: Any, room: list[int]) -> Any:
        """``value`` as far as ``room`` (objects, bytes; spent here) allows: what fits whole is
        shared as it is; a list that does not fit keeps its first items, the last of them cut
        the same way. Objects keep all their fields (the schema's shape), only lists shorten."""
        objects, size = self.weigh(value)
        if objects <= room[0] and size <= room[1]:
            room[0] -= objects
            room[1] -= size
            return value
        if type(value) is list:
            kept = []
            for item in value:
                if room[0] <= 0 or room[1] <= 0:
                    break
                kept.append(self.fit(item, room))
            return kept
        if type(value) is dict:
            room[0] -= 1
            room[1] -= 2 + sum(len(k) + 4 for k in value)
            return {k: self.fit(v, room) for k, v in value.items()}
        return value

    def _shared(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """What ``make`` gives, made once per request for ``key``: repeated subtrees are one object."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def column(self, vertex: int, plan: Plan) -> dict[str, Any]:
        return self._shared((id(plan), "c", vertex), lambda: self.render(plan, vertex))

    def edge(self, edge: int, plan: Plan) -> dict[str, Any]:
        return self._shared((id(plan), "e", edge), lambda: self.render(plan, edge))

    def edges(self, vertex: int, direction: Direction, depth: int, direct_only: bool, plan: Plan) -> list[Any]:
        def make() -> list[Any]:
            deadline.check()
            ordered = self.index.walk_in_key_order(vertex, direction, depth, direct_only, time.time())
            return self.listed([self.edge(e, plan) for e in ordered])

        return self._shared((id(plan), "w", vertex, direction, depth, direct_only), make)

    def tags(self, vertex: int, plan: Plan) -> list[dict[str, Any]]:
        return self.listed([self.render(plan, view) for view in tag_views_of(self.index.record(vertex).props).values()])

    def job(self, job_key: Any, plan: Plan) -> dict[str, Any] | None:
        if not job_key:
            return None

        def make() -> dict[str, Any] | None:
            found = self.index.find([job_key]).get(job_key)
            return None if found is None else self.render(plan, found.props)

        return self._shared((id(plan), "j", job_key), make)


def render_lineage(
    info: Info[Any, Any],
    vertex: int,
    direction: Direction,
    depth: int,
    direct_only: bool,
    index: LineageIndex,
    max_depth: int,
    memo: dict[object, object],
    budget: AnswerBudget,
    errors: list[GraphQLError],
) -> Prerendered | None:
    """The field's whole answer, or None where the ordinary executor must answer it. The answer
    is charged to ``budget``; one past it is cut, with an error in ``errors`` saying so."""
    renderer = Renderer(info, index, max_depth, memo)
    try:
        plan = renderer.plan(list(info._raw_info.field_nodes), "LineageEdge")
    except Unsupported:
        return None
    with index.lock:
        answer = renderer.edges(vertex, direction, depth, direct_only, plan)
        objects, size = renderer.weigh(answer)
        if budget.fits(objects, size):
            budget.charge(objects, size)
            return Prerendered(answer)
        room = budget.room()
        cut = renderer.fit(answer, room)
    errors.append(budget.exhaust(objects_spent=room[0] <= 0).error(info.path.as_list()))
    return Prerendered(cut)
