"""Files and folders that SQL reads or writes, named as OpenLineage names them.

``COPY t FROM 's3://bucket/key'``, ``LOAD DATA INPATH 'hdfs://nn:8020/in'``, ``INSERT OVERWRITE
DIRECTORY '/tmp/out'`` and ``UNLOAD (...) TO 's3://...'`` move data between a table and a path. The
path is a dataset like any table, so its lineage joins what Spark or an OpenLineage producer reports
for the same files: per the OpenLineage naming spec its namespace is the scheme and authority
(``s3://bucket``, ``hdfs://nn:8020``; ``file`` for a local or relative path) and its name is the rest
(the object key of an object store, without a leading ``/``; the absolute path of a file system).
A stage (Snowflake's ``@stage/dir``) is an object of the warehouse and keeps the SQL namespace.
"""

from __future__ import annotations

from tagline.graph.model import DatasetRef
from tagline.ingest.catalog import TableName

_OBJECT_STORES = frozenset({"s3", "s3a", "s3n", "gs", "gcs", "wasb", "wasbs", "abfs", "abfss", "oss", "http", "https"})
"""Schemes whose names are object keys (no leading ``/``); other schemes name file system paths."""

LOCAL_NAMESPACE = "file"


def is_path(name: TableName) -> bool:
    """Whether a one-part name taken from the SQL is a path rather than a table (``'s3://b/k'``, ``'/tmp/x'``)."""
    return len(name) == 1 and "/" in name[0] and not name[0].startswith("@")


def path_dataset(path: str) -> DatasetRef:
    """The OpenLineage dataset of ``path``: ``s3://bucket/a/b`` is ``(s3://bucket, a/b)``."""
    scheme, found, rest = path.partition("://")
    if not found:
        return DatasetRef(namespace=LOCAL_NAMESPACE, name=path)
    authority, slash, name = rest.partition("/")
    if scheme.lower() in _OBJECT_STORES:
        return DatasetRef(namespace=f"{scheme}://{authority}", name=name)
    return DatasetRef(namespace=f"{scheme}://{authority}", name=slash + name)


def path_of(ref: DatasetRef) -> str | None:
    """The path a path dataset was named from (the inverse of :func:`path_dataset`); ``None`` for a table."""
    if ref.namespace == LOCAL_NAMESPACE:
        return ref.name
    if "://" not in ref.namespace:
        return None
    separator = "" if ref.name.startswith("/") or not ref.name else "/"
    return f"{ref.namespace}{separator}{ref.name}"
