"""A notice as it travels: a CloudEvents 1.0 event in structured JSON mode (the whole event, its
attributes and ``data``, is the body: ``application/cloudevents+json``), signed for webhooks with
HMAC-SHA256 over the exact bytes sent."""

from __future__ import annotations

import hashlib
import hmac
import json

from tagline.api.notify.outbox import Stored

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
SIGNATURE_HEADER = "X-Tagline-Signature-256"
TYPE_PREFIX = "tagline."


def source_of(store_id: str) -> str:
    """The CloudEvents ``source``: the store the change happened in (``id`` is unique within it)."""
    return f"urn:tagline:store:{store_id}"


def envelope(notice: Stored, source: str) -> dict[str, object]:
    return {
        "specversion": "1.0",
        "id": str(notice.seq),
        "source": source,
        "type": TYPE_PREFIX + notice.kind,
        "subject": notice.subject,
        "time": notice.at,
        "datacontenttype": "application/json",
        "data": notice.data,
    }


def body(notice: Stored, source: str) -> bytes:
    return json.dumps(envelope(notice, source), sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, sent: bytes) -> str:
    """``sha256=<hex>``: what a receiver recomputes from its copy of the secret and the body, and
    compares in constant time (``hmac.compare_digest``)."""
    return "sha256=" + hmac.new(secret.encode(), sent, hashlib.sha256).hexdigest()
