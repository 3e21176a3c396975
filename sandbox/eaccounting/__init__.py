"""A local stand-in for Visma eAccounting API v2 and its login server (identity.vismaonline.com).

    from sandbox.eaccounting import create_app, start_in_thread
    server, base_url = start_in_thread(settings={"page_size_max": 500})

See README.md beside this file for routes and settings.
"""

from .app import create_app
from .server import serve, start_in_thread

__all__ = ["create_app", "serve", "start_in_thread"]
