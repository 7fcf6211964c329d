"""What a reminder says, in every channel (Telegram, email): the event, and the time really
left before it starts. The offset that made the reminder due is not that time: an RSVP made 30
minutes before the start gets the 1-hour reminder, which must say "in 30 minutes"."""

from datetime import timedelta


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def time_left(left: timedelta) -> str:
    """`left` in words, to the minute under three hours ("30 minutes", "1 hour 25 minutes"),
    to the hour under two days ("23 hours"), else in days. A sweep runs every five minutes,
    so the 24-hour reminder goes with 23 h 55 min to 24 h left: "24 hours"."""
    minutes = max(1, round(left.total_seconds() / 60))
    if minutes < 60:
        return _count(minutes, "minute")
    hours, rest = divmod(minutes, 60)
    if hours < 3:
        return _count(hours, "hour") + (f" {_count(rest, 'minute')}" if rest else "")
    if minutes < 48 * 60:
        return _count(round(minutes / 60), "hour")
    return _count(round(minutes / (24 * 60)), "day")


def headline(title: str, left: timedelta, when: str) -> str:
    """The first line of a reminder: `when` is the start as the reader should see it."""
    return f"Reminder: {title} starts in {time_left(left)}, {when}."
