"""Visma Verkkokauppa tenants: what eAccounting's API allows (availability rules, order conversion)."""
