"""Tags as of a moment, recomputed over that moment's lineage, on the demo warehouse in a real
store: as of now they are what propagation stored, and before the lineage existed there is
nothing to inherit."""

from __future__ import annotations

from datetime import timedelta

from tagline.api.services.demo import default_examples_dir, load_demo
from tagline.governance.past_tags import states_as_of
from tagline.governance.policy import Policy
from tagline.governance.state import tag_views_of
from tagline.governance.tags import tag_views
from tagline.graph.schema import TAGS_EFFECTIVE
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import utcnow


def test_tags_as_of_now_are_the_stored_ones_and_before_the_lineage_only_declared(store: GraphStore) -> None:
    load_demo(store, default_examples_dir())
    policy = Policy()  # the demo's propagation uses the default policy
    later, earlier = utcnow() + timedelta(minutes=1), utcnow() - timedelta(days=3650)
    inherited = 0
    for key in store.column_keys(having=TAGS_EFFECTIVE):
        stored = tag_views_of(store.column_props([key])[key])
        now = states_as_of(store, key, later, policy).load([key])[key]
        assert tag_views(now.effective) == stored, key
        before = tag_views(states_as_of(store, key, earlier, policy).load([key])[key].effective)
        assert all(v.declared for v in before.values()), key
        inherited += any(not v.declared for v in stored.values())
    assert inherited > 10
