"""`.env.example` documents every variable the settings read."""

import re

from django.conf import settings


def test_env_example_lists_every_setting_variable():
    source = (settings.BASE_DIR / "portal" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', source))
    read |= set(re.findall(r'_required_in_production\(\s*"([A-Z_]+)"', source))
    example = (settings.BASE_DIR / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert read, "no variables found: has the settings style changed?"
    assert read - documented == set(), "add these to .env.example with a comment"
    assert documented - read == set(), "these are documented but not read by the settings"
