"""County plans as data (PLAN-*): each county's targets with their due dates, and the status of a
target from the figures the services measure in their own records."""

from shared.roles import Role

# A county plan's targets are the county's figures, nothing personal: every county department
# reads every service's (the HR bureau's monthly report shows civil affairs' targets too), the
# poverty office and the auditor, and a township officer their own township's figures.
TARGET_READERS = (
    Role.county_hrss,
    Role.county_medical,
    Role.county_civil,
    Role.county_poverty,
    Role.county_education,
    Role.county_disability,
    Role.county_health,
    Role.auditor,
    Role.township_officer,
)
