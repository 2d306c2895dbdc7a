"""Outpatient and disease-specific medical benefits of the registered poor: special chronic
diseases, the 15 major diseases, the 36 chronic diseases, the general diagnosis fee and special
drugs (MED-6..MED-9, MED-11)."""
