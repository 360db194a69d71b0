"""The drop folder: where a workbook waits, is worked on, and ends up; with its lock and ledger.

    inbox/        people drop workbooks here
    processing/   <stamp>/<original name>: taken, being worked on (resumed after a crash)
    done/         <stamp>_<sha256>_<original name>: made into a decision (or a duplicate)
    failed/       the same name, plus <name>.bao-cao.txt listing every problem
    ledger/       <sha256>.json: what became of each distinct workbook (for duplicates)
    outbox/ sent/ mail-failed/   the email queue (see processor/unattended/mail/)
    nhat-ky.log   the event log; .xep-hang-cntt.lock  the one-process lock

Every state change of a workbook is a rename inside this one folder, so a workbook is always
somewhere whole, and its bytes are never changed. Which files are ready, what a processing
entry is called and what the ledger says about a file are pure functions tested without disk.

    layout.py     the folder names under the root
    readiness.py  which files in inbox/ are complete and may be taken
    ledger.py     a workbook's identity (SHA-256) and what became of it
    moves.py      the renames: inbox -> processing -> done|failed, and their names
    reports.py    the notes left beside a refused or duplicate workbook
    lock.py       one process per drop folder
"""
