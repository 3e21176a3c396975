"""gunicorn settings for the Silta web process (`gunicorn -c deploy/gunicorn.conf.py portal.wsgi`)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = 30  # pages only: sync work runs in the task cluster, never in a request
graceful_timeout = 30
accesslog = "-"
# The proxy (nginx) whose X-Forwarded-* headers gunicorn believes; in Docker, the proxy's address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
