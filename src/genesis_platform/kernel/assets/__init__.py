"""Governed assets and their markings (Genesis Mission Data Card v1.2 vocabulary)."""
