"""Example scenario files (docs/simulation.md)."""
