"""Every page carries a Content-Security-Policy; inline script and style only with the page's nonce."""

import re

from django.urls import reverse


def policy_of(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else "" for part in header.split("; ")
    }


def test_the_login_page_has_a_strict_policy(client):
    response = client.get(reverse("admin:login"))
    policy = policy_of(response)
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"


def test_inline_blocks_carry_the_nonce_of_the_policy(client, owner_a):
    client.force_login(owner_a)
    response = client.get(reverse("admin:index"))
    nonce = re.search(r"'nonce-([^']+)'", policy_of(response)["script-src"]).group(1)
    html = response.content.decode()
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the dashboard has inline blocks: the test would prove nothing"
    assert all(f'nonce="{nonce}"' in attributes for _tag, attributes in inline)
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler: the policy blocks it"
