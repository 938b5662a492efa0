"""Capacity and channel scenarios: a discrete-event simulation calibrated on the warehouse (spec: simulation.md)."""
