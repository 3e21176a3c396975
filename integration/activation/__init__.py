"""Activating a tenant: the pre-flight check (pure), fetching its inputs, and saving the defaults."""
