"""Writes of lineage into the store: a whole batch, get-or-create by key in one transaction
(``batch``), its new elements as bulk rows on the embedded store (``embedded_rows``) or many to a
request on a Gremlin Server (``gremlin_bulk``), runs merged from their reports (``runs``), dataset
aliases and renames (``dataset_moves``) and the one-time key migration (``key_migration``)."""
