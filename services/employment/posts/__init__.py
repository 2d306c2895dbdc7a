"""Public-welfare posts (扶贫公益岗位), EMP-4."""
