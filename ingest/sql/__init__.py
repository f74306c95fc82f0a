"""SQL text -> column lineage, as a pipeline of small passes over one sqlglot tree per statement.

``split`` cuts a script into statements with the dialect's tokenizer; ``variables`` substitutes
Hive/Spark variables; ``commands`` and ``procedural`` read what sqlglot keeps opaque or nests;
``statements`` reduces each to a target and the query feeding it; ``qualify`` resolves names against
the catalog; ``lineage`` walks the scopes once per query; ``output_names`` names un-aliased columns
as each engine does; ``temporary`` and ``rename`` follow staging tables; ``paths`` names files;
``batch`` assembles the result. ``extract`` drives the pipeline under a per-statement time budget
(``budget``); ``summary`` prints it without a store.
"""
