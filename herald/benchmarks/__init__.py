"""Benchmarks that run Herald for real against local peers and print what they measured."""
