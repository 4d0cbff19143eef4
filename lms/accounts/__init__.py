"""Accounts: users, roles, sign-in, profile."""
