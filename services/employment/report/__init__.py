"""Monthly progress report of employment poverty alleviation per township (EMP-9)."""
