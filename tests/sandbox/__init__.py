"""Tests of the sandbox servers (local stand-ins for eAccounting and WooCommerce)."""
