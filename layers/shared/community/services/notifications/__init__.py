"""Notices to members, one pipeline for every kind over every medium:
- pipeline.py: whom to tell now, then claim before send, bounded senders, the deadline, and
  the settling of each claim by the send's outcome; the report's counts;
- telegram_channel.py, email_channel.py: a channel per medium (who can be reached by it, its
  claims, its send, the outcomes it can have);
- reminders.py: a notice per kind (event reminders, and their sweep), saying whom to tell and
  what; reminder_text.py is what a reminder says."""
