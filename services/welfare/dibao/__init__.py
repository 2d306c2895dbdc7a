"""Minimum living guarantee (低保, WEL-1, WEL-2, WEL-3, WEL-8): applications, households and
reviews."""
