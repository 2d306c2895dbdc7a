"""Temporary relief (临时救助 / 救急难, WEL-6): cases from the township window, medical's
high-burden events (MED-4), disaster declarations, childbirth, relocation and the essential-spending
detector; each decided once by county civil affairs."""
