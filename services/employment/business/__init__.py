"""Entrepreneurship (创业扶贫): business starts, the one-off start-up subsidy and loans, EMP-6."""
