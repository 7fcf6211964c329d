"""`make run` and what runs beside it on this machine."""
