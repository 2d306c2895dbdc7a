"""What civil affairs decided about a person (低保, 特困), from welfare's events."""
