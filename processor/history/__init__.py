"""History: every accepted run of every year in one SQLite file, and what is read back from it.

The office backs up one file (`lich-su.sqlite` in the drop folder's root by default, or the file
given to `run --history`). Each accepted run is recorded whole: the year, the profile, each
agency's group, criterion scores, main-index subtotals, total (exact and as printed), percent,
level, rank and whether ranked, the criteria maxima, the input's and the rules' SHA-256, the tool
version and the time. Re-running a year replaces it in one transaction and keeps an audit row
with the replaced run. The core reads a recorded year back as processor/core/past.PastYear.

One job per module:

    records.py       the records (RunRecord, AgencyYear) made from the pipeline's values; the
                     listing's, trend's and audit's plain types; what a replacement changed
    codec.py         a RunRecord as JSON and back, exactly (the audit keeps replaced runs so)
    schema.py        the tables, and opening a file safely: ours, a known schema, WAL
    tables.py        a run to rows and back (Decimals as their text); the test-only pause points
    store.py         History: record a run in one transaction; years, runs, past years, one
                     agency's trend, the audit
    export.py        every year in one .xlsx workbook (`history --export`)
    commands.py      the `history` command, and recording an outcome after `run`
    next_year.py     which agencies next year's workbook lists, with prior ranks (`init`)
    init_command.py  the `init` command
"""
