"""Request and response bodies, by area (auth, users, events, attendance, bot; `common` for
what every endpoint shares). Public schemas are allow-lists: a field appears only if it is named
here, so a new internal attribute can never leak through them. Import from the area's module:
this package re-exports nothing."""
