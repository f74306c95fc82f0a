"""Tagline: column-level lineage with sensitivity tags that follow the data.

The code lives in the rooms at the top of the repository (``api/``, ``graph/``, ``ingest/``,
``governance/``), as the project's layout requires; this folder holds a symbolic link to each, so
they import as ``tagline.api``, ``tagline.graph`` and so on, and static tools (type checkers,
editors) find them the same way without an import hook. The README's "Layout" section draws the
rooms and the families inside them; the import contracts in ``pyproject.toml`` keep their arrows.
"""

__version__ = "0.1.0"
