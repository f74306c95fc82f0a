"""Subscribers: who receives which notices, and how (a webhook URL with its signing secret, or a
Kafka topic). Read from the subscribers file (``TAGLINE_NOTIFY_SUBSCRIBERS``, TOML) or registered
through GraphQL (kept in the outbox); a bad entry is refused with its place and reason."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tagline.errors import InvalidInput
from tagline.governance.notifications import KINDS

WEBHOOK, KAFKA = "webhook", "kafka"
EVERY = "*"


@dataclass(frozen=True)
class Subscriber:
    name: str
    kind: str
    events: tuple[str, ...] = (EVERY,)
    url: str | None = None
    secret: str | None = None
    bootstrap_servers: str | None = None
    topic: str | None = None
    config: dict[str, str] = field(default_factory=dict)

    def wants(self, kind: str) -> bool:
        return EVERY in self.events or kind in self.events

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "events": list(self.events)}


def subscriber(spec: dict[str, Any], origin: str) -> Subscriber:
    """A subscriber from its description, checked: which field is wrong, and why."""
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"{origin}: `name` is required (a non-empty string)")
    where = f"{origin} ({name})"
    kind = spec.get("kind", WEBHOOK)
    if kind not in (WEBHOOK, KAFKA):
        raise InvalidInput(f"{where}: `kind` must be {WEBHOOK!r} or {KAFKA!r}, not {kind!r}")
    events = spec.get("events", [EVERY])
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events) or not events:
        raise InvalidInput(f"{where}: `events` must be a non-empty list of kinds")
    unknown = [e for e in events if e != EVERY and e not in KINDS]
    if unknown:
        raise InvalidInput(f"{where}: unknown event kinds {unknown}; use {EVERY!r} or some of {', '.join(KINDS)}")
    known = {"name", "kind", "events", "url", "secret", "bootstrap_servers", "topic", "config"}
    extra = sorted(set(spec) - known)
    if extra:
        raise InvalidInput(f"{where}: unknown fields {extra}; a subscriber has {', '.join(sorted(known))}")
    if kind == WEBHOOK:
        url = spec.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InvalidInput(f"{where}: a webhook needs `url`, an http:// or https:// address")
        secret = spec.get("secret")
        if not isinstance(secret, str) or len(secret) < 16:
            raise InvalidInput(f"{where}: a webhook needs `secret`, at least 16 characters, to sign what it sends")
    else:
        for required in ("bootstrap_servers", "topic"):
            if not isinstance(spec.get(required), str) or not spec[required]:
                raise InvalidInput(f"{where}: a Kafka subscriber needs `{required}`")
    config = spec.get("config", {})
    if not isinstance(config, dict):
        raise InvalidInput(f"{where}: `config` must be a table of librdkafka settings")
    return Subscriber(
        name=name,
        kind=kind,
        events=tuple(events),
        url=spec.get("url"),
        secret=spec.get("secret"),
        bootstrap_servers=spec.get("bootstrap_servers"),
        topic=spec.get("topic"),
        config={str(k): str(v) for k, v in config.items()},
    )


def from_file(path: str) -> list[Subscriber]:
    """The ``[[subscriber]]`` tables of a TOML file, in order."""
    try:
        document = tomllib.loads(Path(path).read_text())
    except OSError as exc:
        raise InvalidInput(f"cannot read the subscribers file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"the subscribers file {path} is not TOML: {exc}") from exc
    found = [subscriber(spec, f"{path} subscriber {n}") for n, spec in enumerate(document.get("subscriber", []), 1)]
    names = [s.name for s in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InvalidInput(f"{path}: subscribers named twice: {', '.join(twice)}")
    return found
