"""Labour census (劳动力调查, EMP-1): every registered person's ability and wish to work or train,
skills and current job, imported from spreadsheets and kept one by one."""
