"""Benchmarks: synthetic data, figures printed against the targets the issues set."""
