"""What the insurance-roll routes take: the scheme a roll file belongs to (its import answers with
the job, `services.enrollment.jobs.schemas.JobOut`)."""

from __future__ import annotations

from typing import Literal

# 养老保险 (pension) or 医疗保险 (medical) roll.
Scheme = Literal["pension", "medical"]
