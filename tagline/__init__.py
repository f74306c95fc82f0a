"""Tagline: column-level lineage with sensitivity tags that follow the data.

The code lives in the rooms at the top of the repository (``api/``, ``graph/``, ``ingest/``,
``governance/``); this folder holds a link to each, so they import as ``tagline.api`` and so on,
and static tools (type checkers, editors) find them the same way.
"""

__version__ = "0.1.0"
