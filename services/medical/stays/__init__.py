"""Hospital stays: recording, settling (MED-1..5), correcting and cancelling."""
