"""Read model of the poverty registry, fed by enrollment's registry events."""
