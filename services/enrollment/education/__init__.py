"""Education aid for children of registered-poor households (教育扶贫资助, EDU-1 to EDU-6): the
education bureau's student register, joined with the registry, and what each student is due."""
