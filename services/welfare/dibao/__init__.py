"""Minimum living guarantee (低保, WEL-1 .. WEL-4, WEL-8): applications, households, reviews."""
