"""Run the whole product locally: database, demo data, task cluster and web server."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from .seed_demo import DEMO_PASSWORD, DEMO_TENANTS


class Command(BaseCommand):
    help = "Migrate, seed demo data, then run the django-q2 cluster and the web server until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, host, port, **options):
        (settings.BASE_DIR / "var").mkdir(exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("seed_demo")

        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        processes = {
            "task cluster": subprocess.Popen([*manage, "qcluster"]),
            "web server": subprocess.Popen([*manage, "runserver", "--noreload", f"{host}:{port}"]),
        }
        time.sleep(2)
        owners = ", ".join(owner for *_, owner in DEMO_TENANTS)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nSilta is running at http://{host}:{port}/\n"
                f"  superuser: admin / {DEMO_PASSWORD}\n"
                f"  company owners: {owners} (password {DEMO_PASSWORD})\n"
                f"  health: http://{host}:{port}/healthz\n"
                "Press Ctrl-C to stop.\n"
            )
        )
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(1)
            stopped = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"Stopped unexpectedly: {', '.join(stopped)}")
        except KeyboardInterrupt:
            pass
        finally:
            for p in processes.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGINT if os.name != "nt" else signal.SIGTERM)
            for p in processes.values():
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
