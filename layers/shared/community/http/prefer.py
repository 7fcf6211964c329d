"""RFC 7240 `Prefer`: a client asking a write to answer with the resource it changed."""

RETURN_REPRESENTATION = "return=representation"


def wants_representation(prefer: str | None) -> bool:
    """Whether `Prefer` holds return=representation. Preferences are comma-separated, each a
    name, maybe `=value` and `;parameters`; names and these values are case-insensitive, and a
    preference stated twice counts the first time only (RFC 7240 section 2)."""
    for preference in (prefer or "").split(","):
        name, _, value = preference.partition(";")[0].partition("=")
        if name.strip().lower() == "return":
            return value.strip().strip('"').lower() == "representation"
    return False
