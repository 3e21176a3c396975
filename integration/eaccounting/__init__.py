"""Visma eAccounting API v2: OAuth2 login, a rate-limited client and typed resources."""
