"""The county plans' employment targets (PLAN-1, PLAN-2): training, placement after training,
recommendations, recruitment fairs and the 致富带头人 training, measured from this service's
records."""
