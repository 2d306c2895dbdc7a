"""One idempotency model for every write (`Idempotency-Key`, as in the IETF draft
"The Idempotency-Key HTTP Header Field"): a repeat with the same key and the same request gets
the original answer with its status; the same key with another request is a 409."""
