"""Shared code for every function of the community backend (shipped as the SharedLayer)."""
