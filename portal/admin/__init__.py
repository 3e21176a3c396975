"""The admin: Silta's AdminSite, the tenant scoping every page goes through, and the pages themselves.

The domain (integration/) never imports from here; these modules read and call it.
"""
