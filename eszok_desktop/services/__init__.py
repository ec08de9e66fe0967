"""All queries and writes. Each function takes a Session and returns plain dataclasses."""
