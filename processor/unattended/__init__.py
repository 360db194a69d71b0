"""Running by itself: the drop folder, the outbox and mail, watching, the January job."""
