"""The county plans' medical targets (PLAN-1, PLAN-2): the general-diagnosis-fee clean-up ledger
of each township reported to the HR bureau (MED-9, YA-HRSS §二(二)2)."""
