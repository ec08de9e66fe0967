"""Database access: engine and session setup, embedded server, connection settings."""
