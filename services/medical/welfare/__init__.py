"""Civil affairs' decisions (dibao, 特困) as the medical service knows them (MED-5)."""
