"""What the app holds while it runs, kept where Starlette keeps it: ``app.state``. The lifespan
opens the store's thread there and closes it on the way out; routes and middleware read it from
the request's app, so no route factory has it passed in."""

from __future__ import annotations

from starlette.applications import Starlette

from tagline.api.services.store_thread import StoreThread


def store_thread(app: Starlette) -> StoreThread:
    """The running app's store thread (set by its lifespan; absent before startup and after shutdown)."""
    thread: StoreThread = app.state.thread
    return thread
