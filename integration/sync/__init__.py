"""Sync flows between eAccounting and the webshop: fetch, plan (pure), apply, record."""
