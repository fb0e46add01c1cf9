"""Reads for the leadership dashboard (and the meeting pack, which shares them)."""
