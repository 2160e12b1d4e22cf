"""Closed tickets become resolution scenarios: read, map, scrub, mine."""
