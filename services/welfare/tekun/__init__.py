"""Extreme-poverty support (特困供养, WEL-5): certification, self-care assessment, the monthly
amount, care homes (敬老院) with placements and occupancy, and the end of support."""
