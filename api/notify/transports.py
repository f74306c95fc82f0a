"""How notices reach a subscriber: a webhook (one signed POST per notice) or a Kafka topic (keyed
by subject, from an idempotent producer, so a subject's notices land in one partition in order
and a retried send is not written twice).

``send`` takes a batch in notice order and says, per notice number, whether it arrived (None) or
why not; a notice it did not try (its subject failed earlier in the batch) is left out.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from tagline.api.notify.envelope import CONTENT_TYPE, SIGNATURE_HEADER, signature
from tagline.api.notify.outbox import Stored
from tagline.api.notify.subscribers import KAFKA, Subscriber

Outgoing = list[tuple[Stored, bytes]]


class Transport(Protocol):
    def send(self, batch: Outgoing) -> dict[int, str | None]: ...

    def close(self) -> None: ...


class Webhook:
    """POSTs over one kept-alive connection, opened again when the receiver closed it."""

    def __init__(self, subscriber: Subscriber, timeout_s: float) -> None:
        assert subscriber.url is not None and subscriber.secret is not None
        self.url, self.secret, self.timeout_s = subscriber.url, subscriber.secret, timeout_s
        parts = urlsplit(self.url)
        self.https = parts.scheme == "https"
        self.netloc = parts.netloc
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        return kind(self.netloc, timeout=self.timeout_s)

    def _post_once(self, sent: bytes) -> int:
        if self.connection is None:
            self.connection = self._connect()
        headers = {"Content-Type": CONTENT_TYPE, SIGNATURE_HEADER: signature(self.secret, sent)}
        self.connection.request("POST", self.path, body=sent, headers=headers)
        answer = self.connection.getresponse()
        answer.read()
        if answer.will_close:
            self.close()
        return answer.status

    def post(self, sent: bytes) -> str | None:
        reused = self.connection is not None
        try:
            try:
                status = self._post_once(sent)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if not reused:
                    raise
                status = self._post_once(sent)  # the receiver had closed the kept connection
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            return f"cannot reach {self.url}: {exc}"
        return None if 200 <= status < 300 else f"HTTP {status} from {self.url}"

    def send(self, batch: Outgoing) -> dict[int, str | None]:
        results: dict[int, str | None] = {}
        failed: set[str] = set()
        for notice, sent in batch:
            if notice.subject in failed:
                continue  # waits behind its subject's failed notice
            results[notice.seq] = error = self.post(sent)
            if error is not None:
                failed.add(notice.subject)
        return results

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class KafkaTopic:
    def __init__(self, subscriber: Subscriber, timeout_s: float) -> None:
        assert subscriber.bootstrap_servers is not None and subscriber.topic is not None
        self.topic, self.timeout_s = subscriber.topic, timeout_s
        self.producer = Producer(
            {
                "bootstrap.servers": subscriber.bootstrap_servers,
                "enable.idempotence": True,
                "acks": "all",
                "message.timeout.ms": int(timeout_s * 1000),
                "log_level": 3,
                **subscriber.config,
            }
        )

    def send(self, batch: Outgoing) -> dict[int, str | None]:
        results: dict[int, str | None] = {}

        def report(seq: int) -> Callable[[KafkaError | None, Message], None]:
            def done(error: KafkaError | None, message: Message) -> None:
                results[seq] = None if error is None else f"Kafka: {error.str()}"

            return done

        for notice, sent in batch:
            try:
                self.producer.produce(
                    self.topic,
                    key=notice.subject.encode(),
                    value=sent,
                    headers={"content-type": CONTENT_TYPE},
                    on_delivery=report(notice.seq),
                )
            except (BufferError, KafkaException) as exc:
                results[notice.seq] = f"Kafka: {exc}"
                break
        self.producer.flush(self.timeout_s)
        for notice, _ in batch:
            if notice.seq not in results:
                results[notice.seq] = f"Kafka: not acknowledged within {self.timeout_s:g} s"
        return results

    def close(self) -> None:
        self.producer.flush(self.timeout_s)


def transport(subscriber: Subscriber, timeout_s: float) -> Transport:
    return KafkaTopic(subscriber, timeout_s) if subscriber.kind == KAFKA else Webhook(subscriber, timeout_s)
