"""The county plans' welfare targets (PLAN-1, PLAN-2): 特困 certification with the self-care
assessment, and care-home occupancy (WEL-5), measured from this service's records."""
