"""Erasing one customer's e-mail, and the personal data tied to it, from Silta's own tables.

The customer copy (AccountingCustomer) loses the e-mail, its hash and, for a private person, the
name; every other text or JSON column of the integration app that mentions the e-mail or such a
name has it replaced by "[erased]" (the audit trail included: it should never have held it);
django-q2's task rows that carry it are deleted. eAccounting and the shop are not touched: the
law keeps invoices there. Rows, ids, states and totals stay, so every order is still transferred
exactly once. One transaction: all of it or nothing. The audit entry names no e-mail.
"""

import ast
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django_q.models import OrmQ, Schedule, Task
from django_q.signing import BadSignature, SignedPackage

from integration.fields import EncryptedTextField
from integration.models import AccountingCustomer, OrderTransfer, Tenant
from integration.people import audit
from integration.privacy import personal_data

NOT_ERASED_THERE = (
    "Nothing is erased in eAccounting or the shop: the law keeps invoices and their customers "
    "there. Erase or anonymise the customer there if the law allows it."
)


@dataclass
class Report:
    """What was (or, for a dry run, would be) erased: rows per model label, per tenant."""

    dry_run: bool
    rows: dict = field(default_factory=lambda: defaultdict(set))  # (tenant id or None, label) -> pks
    orders_kept: Counter = field(default_factory=Counter)  # tenant id -> the customer's order records (kept)

    def counts(self, tenant_id=...) -> Counter:
        """Rows per model label, for one tenant (None: rows of no tenant) or for all (the default)."""
        out = Counter()
        for (tid, label), pks in self.rows.items():
            if tenant_id is ... or tid == tenant_id:
                out[label] += len(pks)
        return out

    def tenant_ids(self) -> set:
        return {tid for tid, _ in self.rows if tid is not None}

    def lines(self) -> list[str]:
        """'run events: 2' per table, in words."""
        return [f"{_words(label)}: {n}" for label, n in sorted(self.counts().items()) if n]


def _words(label: str) -> str:
    if label in personal_data.WORDS:
        return personal_data.WORDS[label]
    return str(apps.get_model(label)._meta.verbose_name_plural)


def erase(
    email: str, tenant: Tenant | None = None, *, dry_run: bool = False, user=None, username=None
) -> Report:
    """Erase `email` from `tenant`'s records (None: every tenant's, and rows of no tenant).

    Each tenant whose records held it gets an audit entry (a given tenant gets one even when
    nothing was found); `user`/`username` say who asked. A dry run changes and records nothing."""
    email = personal_data.normalise_email(email)
    if "@" not in email:
        raise ValueError("Give the customer's e-mail address.")
    report = Report(dry_run)
    with transaction.atomic():
        by_email = Q(email=email) | Q(email_hash=personal_data.email_hash(email))
        customers = _scoped(AccountingCustomer, tenant).filter(by_email)
        found = list(customers.values("pk", "tenant_id", "name", "is_private", "customer_id"))
        values = {email} | {c["name"] for c in found if c["is_private"]} | _conversion_names(email, tenant)
        for c in found:
            report.rows[(c["tenant_id"], AccountingCustomer._meta.label)].add(c["pk"])
            if c["customer_id"]:
                report.orders_kept[c["tenant_id"]] += OrderTransfer.objects.filter(
                    tenant_id=c["tenant_id"], customer_id=c["customer_id"]
                ).count()
        if not dry_run:
            rows = AccountingCustomer.objects.filter(pk__in=[c["pk"] for c in found])
            rows.filter(is_private=True).update(name="")  # a company's name is not a person's data
            rows.update(email="", email_hash="")
        for model in apps.get_app_config("integration").get_models():
            if model._meta.label not in personal_data.NOT_CUSTOMER_DATA:
                _sweep(model, tenant, values, report)
        _tasks(tenant, values, report)
        if not dry_run:
            _record(report, tenant, user, username, email)
    return report


def _scoped(model, tenant):
    path = _tenant_path(model)
    if tenant is None:
        return model._default_manager.all()
    if path is None:
        return (
            model._default_manager.none()
        )  # not a tenant's row: only an installation-wide erasure goes there
    return model._default_manager.filter(**({path: tenant} if path else {"pk": tenant.pk}))


def _tenant_path(model):
    if model is Tenant:
        return ""
    names = {f.name for f in model._meta.get_fields()}
    return "tenant" if "tenant" in names else None


def _text_fields(model) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not isinstance(f, EncryptedTextField)
        and not f.choices
        and not f.primary_key
    ]


def _sweep(model, tenant, values, report) -> None:
    """Every text or JSON column of `model` that mentions one of `values`: redacted."""
    fields = _text_fields(model)
    needles = personal_data.needles(values)
    if not fields or not needles:
        return
    match = Q()
    for f in fields:
        for needle in needles:
            match |= Q(**{f"{f.name}__icontains": needle})
    path = _tenant_path(model)
    tenant_col = "pk" if path == "" else ("tenant_id" if path else None)
    columns = ["pk", *([tenant_col] if tenant_col else []), *[f.name for f in fields]]
    for row in _scoped(model, tenant).filter(match).values(*columns):
        changes = {}
        for f in fields:
            old = row[f.name]
            if isinstance(f, models.JSONField):
                new = personal_data.redact_json(old, values)
            else:
                old = old or ""
                new = personal_data.redact(old, values)[: f.max_length or None]
            if new != old:
                changes[f.name] = new
        if not changes:
            continue  # matched only case-folded JSON escapes or the like: nothing to change
        report.rows[(row[tenant_col] if tenant_col else None, model._meta.label)].add(row["pk"])
        if not report.dry_run:
            model._default_manager.filter(pk=row["pk"]).update(
                **changes
            )  # update(): the audit trail's save() refuses


def _conversion_names(email, tenant) -> set[str]:
    """Names that Visma webshop order fingerprints tie to the e-mail (when that model is installed)."""
    try:
        model = apps.get_model("integration", "WebshopOrderConversion")
    except LookupError:
        return set()
    rows = _scoped(model, tenant).filter(fingerprint__email=email).values_list("fingerprint", flat=True)
    return {fp.get("name") or "" for fp in rows} - {""}


def _task_tenant(args):
    """Silta's tasks take the tenant's id first."""
    if isinstance(args, str):
        try:
            args = ast.literal_eval(args)
        except (ValueError, SyntaxError):
            return None
    if isinstance(args, list | tuple) and args and isinstance(args[0], int):
        return args[0]
    return None


def _tasks(tenant, values, report) -> None:
    """django-q2's rows (results, queued tasks, schedules) that carry the e-mail or a name: deleted.
    A tenant's erasure leaves alone those that are plainly another tenant's (their first argument)."""
    hits = []  # (model, pk, args)
    for pk, *parts in Task.objects.values_list(
        "pk", "name", "func", "args", "kwargs", "result", "group"
    ).iterator():
        if personal_data.carries(parts, values):
            hits.append((Task, pk, parts[2]))
    for pk, payload in OrmQ.objects.values_list("pk", "payload").iterator():
        try:
            package = SignedPackage.loads(payload)
        except BadSignature:  # signed with another SECRET_KEY: not this installation's to read
            continue
        if personal_data.carries(package, values):
            hits.append((OrmQ, pk, package.get("args") if isinstance(package, dict) else None))
    needles = personal_data.needles(values)
    match = Q()
    for name in ("name", "func", "args", "kwargs"):
        for needle in needles:
            match |= Q(**{f"{name}__icontains": needle})
    for pk, args in Schedule.objects.filter(match).values_list("pk", "args"):
        hits.append((Schedule, pk, args))
    tenants = set(
        Tenant.objects.filter(pk__in={_task_tenant(args) for _, _, args in hits} - {None}).values_list(
            "pk", flat=True
        )
    )
    for model, pk, args in hits:
        owner = _task_tenant(args) if _task_tenant(args) in tenants else None
        if tenant is not None and owner not in (None, tenant.pk):
            continue
        report.rows[(tenant.pk if tenant is not None else owner, model._meta.label)].add(pk)
        if not report.dry_run:
            model.objects.filter(pk=pk).delete()


def _record(report: Report, tenant, user, username, email) -> None:
    tenants = {tenant.pk} if tenant is not None else report.tenant_ids()
    for t in Tenant.objects.filter(pk__in=tenants):
        detail = personal_data.summary(dict(sorted(report.counts(t.pk).items())), _words)
        if report.orders_kept[t.pk]:
            detail += f"; {report.orders_kept[t.pk]} order records kept (no personal data in them)"
        audit.record(
            t,
            user,
            audit.Action.ERASED_PERSONAL_DATA,
            f"customer #{personal_data.hash_prefix(email)}",
            detail + ". " + NOT_ERASED_THERE,
            username=username,
        )
