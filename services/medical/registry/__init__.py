"""The medical service's read model of the poverty registry."""
