"""Terminarz services: events, calendars, history, sharing, and the pure event layout."""
