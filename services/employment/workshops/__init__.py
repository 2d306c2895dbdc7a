"""Poverty workshops (扶贫车间) and their per-worker subsidy, EMP-5."""
