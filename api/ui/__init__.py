"""The lineage explorer: the built single-page app (static/, rebuilt by `make ui` from ui/) and the routes serving it."""
