"""Tagline: column-level lineage with sensitivity tags that follow the data.

The code lives in the rooms at the top of the repository (``api/``, ``graph/``, ``ingest/``,
``governance/``); packaging maps them under this namespace as ``tagline.api`` and so on.
"""

__version__ = "0.1.0"
