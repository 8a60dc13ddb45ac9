"""Pure KPI, score, rank, warning and list computation over the ledger (no Flask, no Dash)."""
