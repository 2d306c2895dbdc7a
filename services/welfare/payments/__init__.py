"""The monthly payment cycle of dibao and extreme-poverty support (WEL-3, WEL-5)."""
