"""The functions in this process: handlers as the template names them, the events they get,
the events_fixtures and their placeholder values."""
