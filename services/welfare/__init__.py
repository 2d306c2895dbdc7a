"""Welfare service (民政: 低保, 特困供养, 临时救助, 一门受理)."""
