"""Disability support (残疾人保障): the living and nursing subsidies (WEL-4) and rehabilitation
assistance (WEL-10, WEL-11, WEL-12)."""
