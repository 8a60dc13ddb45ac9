"""Jobs, the scheduler process and the `panhuo` command line."""
