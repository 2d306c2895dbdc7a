"""Pure policy rules of the employment service. Each module's docstring says how it reads the
seeds: census.py (劳动力调查, EMP-1; working age, 两后生), training.py (技能培训 coverage and
placement, EMP-2; 求职创业补贴, EMP-7)."""
