"""Writes of lineage into the store: a whole batch, get-or-create by key in one transaction
(``batch``), its bulk rows on the embedded store (``embedded_rows``), runs merged from their reports
(``runs``), dataset aliases and renames (``dataset_moves``) and the one-time key migration
(``key_migration``)."""
