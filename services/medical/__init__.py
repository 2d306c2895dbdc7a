"""Medical service (医保): reimbursement chain, the 90% guarantee, chronic and major diseases."""
