"""Enrollment service (HR & social security): poverty registry, pension and medical enrollment."""
