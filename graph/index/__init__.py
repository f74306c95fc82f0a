"""The lineage index: the store's lineage held in memory as arrays (``lineage_index``), the
columnar pieces it is made of (``columns``, ``edge_table``, ``name_index``), where it comes from at
start (``build``), and the table-level view over it (``table_lineage``)."""
