"""Start-up screens: preparing the local server, the first administrator, the connection."""
