"""County plans as data (PLAN-*): each county's targets with their due dates, and the status of a
target from the figures the services measure in their own records."""
