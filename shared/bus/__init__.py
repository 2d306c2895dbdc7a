"""Reliable event bus: transactional outbox, relay to Kafka, idempotent consumers with a DLQ."""
