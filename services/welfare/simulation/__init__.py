"""What a proposed change of the county's dibao figures would do to the households on dibao now,
before anyone approves it: nothing is written."""
