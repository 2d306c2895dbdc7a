"""Settlement of an in-patient stay (住院结算): the reimbursement chain (MED-1), the 90% guarantee
(MED-2), the annual cap (MED-3), the high-burden flag (MED-4) and the deductibles (MED-5)."""
