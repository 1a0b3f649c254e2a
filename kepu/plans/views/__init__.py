"""Back-office and portal pages of the plan ledger: HTTP in, one selector or service call, a template out."""
