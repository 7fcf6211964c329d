"""HTTP plumbing shared by every function: the app factory, error mapping, auth, caching."""
