"""Finnish formats beside Django's own (settings.FORMAT_MODULE_PATH): a time of day is read with
"klo" in Finnish (5.12.2026 klo 14.03); Django's short form leaves it out. Everything not named
here comes from Django's fi locale."""

SHORT_DATETIME_FORMAT = r"j.n.Y \k\l\o G.i"
