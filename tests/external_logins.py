"""What a person does on the outside systems' own pages (the sandboxes): Visma's login and
company picker, and WooCommerce's key approval. Each returns where the browser is sent back to."""

import html
import re

import requests


def sign_in_at_visma(authorize_url, company_name):
    """The sandbox's login and company picker, as a person fills them in."""
    visma = requests.Session()
    base = authorize_url.split("/connect/")[0]
    page = visma.get(authorize_url, allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.text
    txn = re.search(r'name="txn" value="([^"]+)"', page.text).group(1)
    picker = visma.post(f"{base}/connect/authorize/login", allow_redirects=False, timeout=10,
                        data={"txn": txn, "username": "demo@example.com", "password": "demo", "action": "login"})  # fmt: skip
    companies = {html.unescape(name): cid for cid, name in
                 re.findall(r'value="([0-9a-f-]{36})"[^>]*> <span class="company-name">([^<]+)</span>', picker.text)}  # fmt: skip
    back = visma.post(f"{base}/connect/authorize/company", allow_redirects=False, timeout=10,
                      data={"txn": txn, "company_id": companies[company_name], "action": "select"})  # fmt: skip
    assert back.status_code == 302, back.text
    return back.headers["Location"]


def approve_at_shop(shop_url, approval_url):
    """WooCommerce's key-approval page: Approve. The shop posts the keys to Silta, then redirects."""
    shop = requests.Session()
    page = shop.get(approval_url, timeout=10)
    assert page.status_code == 200 and "Silta would like to connect to your store" in page.text, page.text
    fields = {name: html.unescape(value)
              for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)}  # fmt: skip
    back = shop.post(f"{shop_url}/wc-auth/v1/access_granted", data={**fields, "action": "approve"},
                     allow_redirects=False, timeout=30)  # fmt: skip
    assert back.status_code == 302, back.text
    return back.headers["Location"]
