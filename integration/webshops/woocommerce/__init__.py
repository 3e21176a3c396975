"""WooCommerce (REST API v3, ``/wp-json/wc/v3``) behind the ``Webshop`` interface."""

from .connector import WooCommerce

__all__ = ["WooCommerce"]
