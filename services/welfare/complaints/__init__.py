"""Complaints and appeals (投诉举报、申诉, WEL-9): recorded, answered, followed until answered."""
