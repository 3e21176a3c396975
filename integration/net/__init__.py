"""Network policy for calls Silta makes to addresses a tenant supplied."""
