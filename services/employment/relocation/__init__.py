"""Relocated households (易地扶贫搬迁) and one job per household (一户一就业), EMP-8."""
