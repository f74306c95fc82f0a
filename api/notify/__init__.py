"""Changes pushed out: notices derived from the change log (``governance/notifications.py``),
kept in a durable outbox, and delivered to subscribers (webhooks, Kafka topics), each from its own
cursor, with retries, a dead letter and replay."""
