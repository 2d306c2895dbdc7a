"""General diagnosis fee refunds for the registered poor (一般诊疗费, MED-9)."""
