"""Family-doctor signing of the registered poor with one of the 36 chronic diseases (家庭医生签约
服务, MED-12)."""
