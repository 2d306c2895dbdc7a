"""Decisions recomputed under figures a county published after they were made (the ledger of
adjustments, the hook a service runs when a set is published, its routes)."""
