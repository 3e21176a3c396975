"""Settings for the test suite: production-like (DEBUG off) with test secrets.

DATABASE_URL comes from the environment: `make test` starts a throwaway PostgreSQL.
"""

import os

from cryptography.fernet import Fernet

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SILTA_ENCRYPTION_KEYS", Fernet.generate_key().decode())
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("WEBSHOP_ALLOW_HTTP_HOSTS", "127.0.0.1,localhost")  # the sandbox shop
# Never Visma's real hosts: a test that forgets to point at the sandbox gets "connection refused".
os.environ.setdefault("EACCOUNTING_IDENTITY_URL", "http://127.0.0.1:9")
os.environ.setdefault("EACCOUNTING_API_URL", "http://127.0.0.1:9/v2")
# One cluster runs everything in tests (production's default is an orders queue of its own):
# tests that start a cluster start one; test_queues.py and the production smoke test start both.
os.environ.setdefault("SILTA_ORDERS_QUEUE", "")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT = None  # static files come from the finders in tests; no collectstatic
AXES_VERBOSE = False
# The Shopify sandbox for a cluster a test starts (tests/browser/test_shopify_install.py): portal.settings refuses
# SHOPIFY_SANDBOX_URL with DEBUG off, as production must; these settings are not production.
SHOPIFY_SANDBOX_URL = os.environ.get("SILTA_TEST_SHOPIFY_SANDBOX_URL", "")
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405  live-server threads must not keep connections open
