"""Qt user interface. Talks to services only through the task runner."""
