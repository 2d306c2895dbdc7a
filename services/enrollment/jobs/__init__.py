"""Import jobs (导入任务): a roster or roll file validated and applied in one transaction, its
progress and every error found."""
