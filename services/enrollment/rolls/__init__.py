"""Insurance rolls (参保缴费名册): the pension roll and the medical roll, imported per year."""
