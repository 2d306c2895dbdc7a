"""Training (技能培训, EMP-2): programmes by department and township, enrolments, completions,
certificates, coverage and placement after training, and the job-seeking subsidy (EMP-7)."""
