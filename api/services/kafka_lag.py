"""How far a Kafka consumer is behind: per partition it reads, the messages between its position
and the partition's end, summed into ``tagline_kafka_consumer_lag``.

The partition's end (its high watermark) is asked of the broker, at most once per ``every_s`` per
partition, so counting costs the consumer nothing it would notice; while the consumer waits for
messages, the lag of every partition it has read is asked again, so a consumer that caught up
shows 0.
"""

from __future__ import annotations

import logging
import math
import time

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition

from tagline.api.services.domain_metrics import KAFKA_LAG

log = logging.getLogger(__name__)
WATERMARK_TIMEOUT_S = 1.0


class ConsumerLag:
    def __init__(self, every_s: float = 1.0) -> None:
        self.every_s = every_s
        self.lags: dict[tuple[str, int], int] = {}
        self.next_offsets: dict[tuple[str, int], int] = {}
        self.asked: dict[tuple[str, int], float] = {}

    def handled(self, consumer: Consumer, message: Message) -> None:
        """After ``message`` is in the store: the consumer's position in its partition moved."""
        partition = (str(message.topic()), int(message.partition() or 0))
        self.next_offsets[partition] = int(message.offset() or 0) + 1
        self._measure(consumer, partition)

    def idle(self, consumer: Consumer) -> None:
        """A poll brought nothing: measure every partition read so far again."""
        for partition in list(self.next_offsets):
            self._measure(consumer, partition)

    def _measure(self, consumer: Consumer, partition: tuple[str, int]) -> None:
        now = time.monotonic()
        if now - self.asked.get(partition, -math.inf) < self.every_s:
            return
        self.asked[partition] = now
        try:
            _, high = consumer.get_watermark_offsets(
                TopicPartition(*partition), timeout=WATERMARK_TIMEOUT_S, cached=False
            )
        except KafkaException as exc:
            log.debug("kafka: no watermark for %s: %s", partition, exc)
            return
        self.lags[partition] = max(int(high) - self.next_offsets[partition], 0)
        KAFKA_LAG.set(sum(self.lags.values()))
