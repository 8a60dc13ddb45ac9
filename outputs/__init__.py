"""Files handed to people: the Word documents drafted from a snapshot (and, in time, every workbook)."""
