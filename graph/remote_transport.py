"""A websocket transport for gremlinpython that reconnects after the server has gone away.

gremlinpython 3.7 keeps a pool of websocket connections and never reopens one: once a Gremlin
Server restarts, every pooled connection answers "Connection was already closed." forever. This
transport reopens its websocket before writing when the last one was closed, so each pooled
connection fails at most once (the request in flight when the server went away) and then works
again as soon as the server is back.
"""

from __future__ import annotations

import asyncio
from typing import Any

from gremlin_python.driver.aiohttp.transport import AiohttpTransport

# gremlinpython's own default for a websocket message (its Client sets it when it builds the transport).
MAX_CONTENT_LENGTH = 10 * 1024 * 1024


class ReconnectingTransport(AiohttpTransport):
    _loop: asyncio.AbstractEventLoop  # the parent's, set in its __init__

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_content_length=MAX_CONTENT_LENGTH, **kwargs)
        self._target: tuple[str, Any] | None = None

    def connect(self, url: str, headers: Any = None) -> None:
        self._target = (url, headers)
        super().connect(url, headers)

    def write(self, message: Any) -> None:
        if self._target is not None and self._is_gone():
            self._reopen(*self._target)
        super().write(message)

    def _is_gone(self) -> bool:
        if self._loop.is_closed() or self._websocket is None or self._client_session is None:
            return True
        return bool(self.closed)

    def _reopen(self, url: str, headers: Any) -> None:
        # The parent closes its event loop with the websocket (also when the server closes it), so
        # a reopened transport needs a loop of its own as well.
        if not self._loop.is_closed():
            super().close()
        self._loop = asyncio.new_event_loop()
        self._websocket = None
        self._client_session = None
        super().connect(url, headers)
