"""python -m sandbox.eaccounting --port 8101 --seed-articles 200"""

import argparse
import json

from .app import create_app
from .server import serve


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Local stand-in for Visma eAccounting API v2 and its login server"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8101)
    p.add_argument("--seed-articles", type=int, default=50, help="articles per demo company")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-demo", action="store_true", help="start empty (no demo user/companies)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="a setting, e.g. --set page_size_max=500 --set stock_module=false",
    )
    a = p.parse_args(argv)
    settings = {"demo": not a.no_demo, "demo_articles": a.seed_articles, "seed": a.seed}
    for item in a.set:
        k, _, v = item.partition("=")
        try:
            settings[k] = json.loads(v)
        except ValueError:
            settings[k] = v
    serve(a.host, a.port, app=create_app(settings))


if __name__ == "__main__":
    main()
