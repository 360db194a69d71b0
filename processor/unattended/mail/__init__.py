"""Email: compose a message, keep it in an outbox, send it, and remember who received it.

A message is written whole to `outbox/<id>/message.eml` (with its delivery state in
`state.json`) before any connection is made, then sent with smtplib. The entry moves to
`sent/` only when every recipient was accepted. A temporary failure (no connection, timeout,
4xx) keeps it in the outbox for a later pass, with back-off; a permanent one (5xx) moves it to
`mail-failed/` with the server's answer in `bao-cao.txt`. Recipients who accepted are recorded
at once and never sent the message again.

The one window where a recipient can receive a message twice: the server accepted it and the
process died before `state.json` was rewritten (a few milliseconds). The next pass sends the
same bytes again, with the same Message-ID, so mail clients show it once.

People steer it with `mail list`, `mail resend` and `mail send-now` (unattended/mail_control):
a resend is a new entry `<id>.gui-lai-<n>` holding the same message (same Message-ID) under a
Resent-* block, so the outbox guarantees hold for it too; send-now ignores the back-off once,
directly or through a request file (outbox/.gui-ngay) taken by the next pass.

Nothing here knows what a decision is: letters are filled from plain mappings (built in
processor/unattended/notices.py). One job per module:

    letters.py    a text template -> a Letter -> the message's bytes (attachments named twice)
    state.py      the delivery state and every pure decision about it (who is left, when to retry)
    outbox.py     the outbox, sent/ and mail-failed/ on disk, and the send-now request
    smtp.py       talking to the server: connect, log in, probe, say what went wrong
    delivery.py   one pass over the outbox, recording every answer
    resending.py  a message sent again: its new entry and its Resent-* block
    listing.py    what `mail list` says about each message
"""
