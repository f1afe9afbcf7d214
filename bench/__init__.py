"""Benchmarks: speed, latency, memory and start-up of the intake path (``python -m bench``)."""
