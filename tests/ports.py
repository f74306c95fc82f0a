"""Free loopback ports for the servers the tests start (Tagline, JanusGraph, and the other engines)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now; the caller binds it soon after, so a clash is unlikely."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
