"""The appraisal indicators of the safety net (考核指标, YA-GOV §四(六), IND-1 .. IND-4): the dibao
standard, recipient accuracy, the top-up level and the category shares, per township."""
