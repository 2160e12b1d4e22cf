"""Jinja2 templates and browser assets of the generated sites (installed as package data)."""
