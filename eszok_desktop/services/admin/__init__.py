"""Administration services: accounts, passwords, calendar grants and share requests,
announcements, the change-log browser and the dictionaries (event and work kinds).

Every account change goes through a SECURITY DEFINER function of migration 0003 that
checks the caller's ``admin.users`` capability in the database; the rest runs under the
row-level policies. Refusals come back as typed ServiceErrors (see ``errors``).
"""
