"""A local stand-in for a Shopify store's GraphQL Admin API (version 2026-01).

Built from Shopify's own reference as committed in ``sandbox/contracts/shopify/`` (every type and
field of ``schema.graphql`` is in the contract, with the page that documents it). What the
reference leaves open is in docs/shopify-unknowns.md, each with the setting that switches it.

``create_app(settings)`` gives the WSGI app; ``testing.Sandbox`` runs one in a thread for tests;
``python -m sandbox.shopify`` serves one (README.md).
"""

API_VERSION = "2026-01"
