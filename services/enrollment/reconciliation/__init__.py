"""Reconciliation of the registry with the insurance rolls (ENR-P1, P2, M1, M5)."""
