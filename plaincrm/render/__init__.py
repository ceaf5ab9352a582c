"""Turning records into text, tables and JSON."""
