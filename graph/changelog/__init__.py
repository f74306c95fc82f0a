"""The change log: what each write transaction changed (``changes``), appended in the same
transaction and read back from a position (``log``), and the columns whose incoming lineage changed
and that tag propagation has yet to take into account (``pending``)."""
