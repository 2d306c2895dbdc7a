"""Dynamic management (动态管理, WEL-8): the welfare service's own economic facts of registered
people (劳动能力, income), the annual cross-check with the registry, and township worklists."""
