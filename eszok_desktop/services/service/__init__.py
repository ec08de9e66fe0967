"""Serwis services: task cards, the hours summary, card PDFs and sending them by e-mail."""
