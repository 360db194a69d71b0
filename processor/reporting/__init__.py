"""The report beyond the table: scorecards, the summary with its charts, flags before signing.

Only the `report` command (and the drop folder after a decision) imports this package; pandas
and matplotlib are imported inside it, so `check` and `run` never load them.
"""
