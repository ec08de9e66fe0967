"""The load test of issue 7 (``python -m loadtest.run``); see ``loadtest/README.md``."""
