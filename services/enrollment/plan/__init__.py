"""The county plans' enrollment targets (PLAN-1, PLAN-2): pension enrollment of the eligible
poor (ENR-P1) and the pension enrollment ledger in three copies (ENR-M4, YA-HRSS §一(二)3)."""
