"""Resident pension (城乡居民基本养老保险) of the registered poor: eligibility, contribution
subsidies and payments on their behalf, the 55-60 disability subsidy, the ledger of people at or
near 60, the monthly benefit, the funeral grant and transfers in from the employee scheme
(ENR-P1, ENR-P3..P9)."""
