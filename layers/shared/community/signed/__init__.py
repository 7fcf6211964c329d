"""What the server signs and a client brings back: access tokens, email verification links,
page cursors. Each is keyed from the JWT secret for its own purpose, so none verifies as another."""
