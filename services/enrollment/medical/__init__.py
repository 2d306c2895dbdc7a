"""Resident medical insurance enrollment (城乡居民基本医疗保险 + 大病保险) of the registered poor:
who must be covered (ENR-M1) and who funds the individual contribution (ENR-M2, ENR-M3)."""
