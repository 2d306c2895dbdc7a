"""Job recommendation (岗位推荐), the vacancy database, placements and recruitment fairs (EMP-3)."""
