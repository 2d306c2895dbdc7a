"""Employment service (人社: 就业扶贫, 技能培训, 公益岗位, 扶贫车间)."""
