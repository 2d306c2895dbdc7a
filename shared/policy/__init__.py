"""Policy parameters as data: YAML values keyed by effective date, with county overrides."""

from shared.policy.loader import ParameterNotFound, PolicySet, ResolvedParameter

__all__ = ["ParameterNotFound", "PolicySet", "ResolvedParameter"]
