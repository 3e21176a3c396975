"""Many tenants, one eAccounting budget: a simulation against the sandboxes on a scaled clock.

`manage.py simulate` (make simulate): N tenants, each with its own eAccounting company and shop
(one multi-shop WooCommerce sandbox), activated and synced; then simulated hours of owners'
work (article changes in eAccounting, paid web orders) while the production parts run it: the
schedules as schedules.py and the budget plan set them, fired on the scaled clock (scheduler.py);
a real `qcluster` running the tasks; gunicorn receiving the shop's webhooks; the shared budget
(eaccounting/budget.py) spacing requests. The clock is scaled by --scale: schedule intervals and
the rate limit's window shrink alike, so the sandbox's 600 a minute becomes 600 per 60/scale s.
"""
