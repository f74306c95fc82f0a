"""A write to a Gremlin Server as one request without a session: one request, one transaction.

Why: a remote transaction held open in a Gremlin Server session outlives a client killed in the
middle of it. Gremlin Server 3.7 (the classic processors JanusGraph Server runs) closes the session
of a connection that went away *with force*: it interrupts the session's thread and never rolls its
transaction back. BerkeleyJE then keeps that transaction's locks (every later writer fails with
LockTimeoutException until the server restarts), or, interrupted in the middle of an operation,
declares its environment invalid. A request without a session runs in a thread of the server's own
pool, which commits it when it succeeds and rolls it back when it fails, whether or not the client
is still there to read the answer: a killed writer leaves nothing behind.

So a write is prepared here and sent whole. While the work runs, reads go to the server as they are
asked (they see what is committed); each write step (a traversal ended with ``iterate()``) is kept
instead of sent, in order; new vertices and edges are kept as plain data. At the end, one script
request replays the plan in one transaction (:data:`WRITE_SCRIPT`: constant text, so the server
compiles it once; the plan travels as its bindings) and answers the ids of the new vertices.

Until then a new element is named by a **marker**, a negative integer (JanusGraph's ids are
positive), which the script replaces by the element's id wherever a ``V()`` or ``E()`` step names
it. The readers of ``graph/reader.py`` add the plan's new elements to what they find (:func:`plan_of`),
so a step that reads what an earlier step of the same write made (the lifetimes of edges a batch
has just created) finds it, as it would inside a server-side transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gremlin_python.driver.remote_connection import RemoteConnection, RemoteTraversal
from gremlin_python.process.graph_traversal import GraphTraversalSource
from gremlin_python.process.traversal import Bytecode

from tagline.graph.records import EdgeRecord, VertexId, VertexRecord
from tagline.graph.schema import KEY

# The steps that change the graph: a traversal holding one is kept for the plan.
WRITE_STEPS = frozenset({"addV", "addE", "property", "drop", "mergeV", "mergeE"})
# How long the server may take over one write. Past it, Gremlin Server interrupts the request's
# thread, which BerkeleyJE does not survive: a write must never get near it (the largest writes of
# a bulk load take seconds).
WRITE_TIMEOUT_MS = 30 * 60 * 1000

# The plan, in order: ["v", marker, label, props] makes a vertex, ["e", marker or None, out, label,
# in, props] an edge between two vertices (ids or markers), ["p", "v" or "e", id or marker, props]
# sets (None: removes) properties of an element if it is there, ["t", bytecode] runs a kept
# traversal with the markers in its V() and E() steps replaced. Answers {vertex marker: id}.
WRITE_SCRIPT = """
def made = [:]
def vertices = [:]
def ends = [:]
def swap
swap = { a ->
  if (a instanceof Number && a.longValue() < 0) {
    def id = made[a.longValue()]
    if (id == null) throw new IllegalStateException("no element was made for marker " + a)
    return id
  }
  if (a instanceof List) return a.collect { swap(it) }
  return a
}
def fix
fix = { b ->
  def out = new org.apache.tinkerpop.gremlin.process.traversal.Bytecode()
  b.getSourceInstructions().each { i -> out.addSource(i.getOperator(), i.getArguments()) }
  b.getStepInstructions().each { i ->
    def ids = i.getOperator() == 'V' || i.getOperator() == 'E'
    def args = i.getArguments().collect { x ->
      x instanceof org.apache.tinkerpop.gremlin.process.traversal.Bytecode ? fix(x) : (ids ? swap(x) : x)
    }
    out.addStep(i.getOperator(), args as Object[])
  }
  out
}
def vertex = { ref ->
  def id = swap(ref)
  def v = ends[id]
  if (v == null) {
    def found = graph.vertices(id)
    if (!found.hasNext()) throw new IllegalArgumentException("MissingEnd: vertex " + id + " is not in the store")
    v = found.next()
    ends[id] = v
  }
  v
}
def translator = org.apache.tinkerpop.gremlin.jsr223.JavaTranslator.of(g)
for (s in steps) {
  if (s[0] == 'v') {
    def v = graph.addVertex(s[2])
    s[3].each { k, x -> v.property(k, x) }
    made[s[1].longValue()] = v.id()
    vertices[s[1]] = v.id()
    ends[v.id()] = v
  } else if (s[0] == 'p') {
    def found = s[1] == 'v' ? graph.vertices(swap(s[2])) : graph.edges(swap(s[2]))
    if (found.hasNext()) {
      def element = found.next()
      s[3].each { k, x -> if (x == null) element.properties(k).each { it.remove() } else element.property(k, x) }
    }
  } else if (s[0] == 'e') {
    def e = vertex(s[2]).addEdge(s[3], vertex(s[4]))
    s[5].each { k, x -> e.property(k, x) }
    if (s[1] != null) made[s[1].longValue()] = e.id()
  } else {
    translator.translate(fix(s[1])).iterate()
  }
}
[vertices]
"""


class MissingEnd(RuntimeError):
    """An end of a new edge is not in the store: the write is refused whole (nothing of it lands)."""


def _settings(steps: list[list[Any]]) -> tuple[str, list[Any], dict[str, Any]] | None:
    """What a kept step does when it only sets (or drops: None) properties of elements named by
    id — ``g.V(id).property(k, v)…``, ``g.E(ids).properties(k).drop()`` —: the kind of element, the
    ids, the properties; None for any other step."""
    if len(steps) < 3 or steps[0][0] not in ("V", "E") or len(steps[0]) != 2:
        return None
    kind = "v" if steps[0][0] == "V" else "e"
    target, body = steps[0][1], steps[1:-1]
    targets = list(target) if isinstance(target, list | tuple) else [target]
    if not targets:
        return None
    if all(step[0] == "property" and len(step) == 3 and isinstance(step[1], str) for step in body):
        return kind, targets, {step[1]: step[2] for step in body}
    if [step[0] for step in body] == ["properties", "drop"] and len(body[0]) > 1:
        return kind, targets, dict.fromkeys(body[0][1:])
    return None


def _writes(bytecode: Bytecode) -> bool:
    for operator, *args in bytecode.step_instructions:
        if operator in WRITE_STEPS or any(isinstance(a, Bytecode) and _writes(a) for a in args):
            return True
    return False


class WritePlan(RemoteConnection):
    """A remote connection that sends reads at once and keeps writes for one request at the end."""

    def __init__(self, remote: Any) -> None:
        super().__init__(remote.url, remote.traversal_source)
        self._remote = remote
        self.steps: list[list[Any]] = []
        self.vertices: dict[str, VertexRecord] = {}  # by key, with markers for ids
        self.edges: dict[str, EdgeRecord] = {}
        # What kept steps set on an element named by id (None: dropped), by its id or marker.
        self.changed: dict[Any, dict[str, Any]] = {}
        self._markers = 0

    def submit(self, bytecode: Bytecode) -> RemoteTraversal:
        if not _writes(bytecode):
            return self._remote.submit(bytecode)
        if not bytecode.step_instructions or bytecode.step_instructions[-1][0] != "none":
            raise TypeError(
                "a write on a Gremlin Server is sent whole when its transaction ends, so it cannot "
                f"answer before: end it with iterate() ({bytecode})"
            )
        news = _settings(bytecode.step_instructions)
        if news is None:
            self.steps.append(["t", bytecode])
            return RemoteTraversal(iter([]))
        kind, targets, props = news
        for target in targets:
            # Set through the structure API, without a traversal to compile for each element.
            self.steps.append(["p", kind, target, props])
            self.changed.setdefault(target, {}).update(props)
        return RemoteTraversal(iter([]))

    def seen(self, element_id: Any, props: dict[str, Any]) -> dict[str, Any]:
        """``props`` of an element as read, with what this write has set on it or dropped."""
        news = self.changed.get(element_id)
        if not news:
            return props
        merged = {**props, **news}
        return {name: value for name, value in merged.items() if value is not None}

    def _marker(self) -> int:
        self._markers += 1
        return -self._markers

    def add_vertex(self, label: str, props: dict[str, Any]) -> VertexId:
        """Plan a new vertex; its marker, which stands for its id until the write is sent."""
        marker = self._marker()
        self.steps.append(["v", marker, label, props])
        if KEY in props:
            self.vertices[str(props[KEY])] = VertexRecord(id=marker, label=label, props=dict(props))
        return marker

    def add_edge(self, out_id: VertexId, label: str, in_id: VertexId, props: dict[str, Any]) -> None:
        """Plan a new edge between two vertices (ids, or markers of vertices planned before)."""
        marker = self._marker() if KEY in props else None
        self.steps.append(["e", marker, out_id, label, in_id, props])
        if marker is not None:
            self.edges[str(props[KEY])] = EdgeRecord(marker, label, out_id, in_id, dict(props))

    def send(self, client: Any) -> dict[VertexId, VertexId]:
        """Run the plan on the server in one request (one transaction); the ids of the new
        vertices by their markers."""
        if not self.steps:
            return {}
        answer = client.submit(
            WRITE_SCRIPT, {"steps": self.steps}, request_options={"evaluationTimeout": WRITE_TIMEOUT_MS}
        )
        try:
            found = answer.all().result()
        except Exception as exc:
            if "MissingEnd:" in str(exc):
                raise MissingEnd(f"an end of a new edge is not in the store: {exc}") from exc
            raise
        return {int(marker): int(made) for marker, made in (found[0] if found else {}).items()}


def plan_of(g: GraphTraversalSource) -> WritePlan | None:
    """The write plan behind ``g``, if ``g`` is a Gremlin Server write being prepared."""
    for strategy in g.traversal_strategies.traversal_strategies:
        remote = getattr(strategy, "remote_connection", None)
        if isinstance(remote, WritePlan):
            return remote
    return None


def settled(ids: dict[str, VertexId], made: dict[VertexId, VertexId]) -> Iterator[tuple[str, VertexId]]:
    """``ids`` (key -> id) with the markers of a sent plan replaced by the ids it made."""
    for key, found in ids.items():
        yield key, made.get(found, found)
