"""The house's rules, read from the source: which package may import which, where exactly-once lives, and
that test modules share helpers only through conftest.py or tests/fixtures/.

Walks every module's AST (no imports are run), so a rule broken anywhere, even in a function body, fails here.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLAIM_FIELDS = {"token", "lease_until", "sending_since"}  # integration/work/models.py: ClaimedWork
WORK = "integration.work"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # what it imports, dotted and absolute
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files(*top: str) -> Iterator[Path]:
    for name in top:
        yield from sorted((ROOT / name).rglob("*.py"))


def imports(path: Path) -> Iterator[Import]:
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            for alias in node.names:
                yield Import(
                    module, f"{prefix}.{alias.name}", node.lineno
                )  # `from x import y`: x.y (y may be a module)


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def offending(rule, *top: str) -> list[str]:
    return [
        f"{i.module}:{i.line} imports {i.target}"
        for path in python_files(*top)
        for i in imports(path)
        if rule(i)
    ]


def test_the_domain_never_imports_the_portal():
    assert offending(lambda i: within(i.target, "portal"), "integration") == []


def test_orders_do_not_import_the_article_sync():
    assert (
        offending(
            lambda i: within(i.module, "integration.orders") and within(i.target, "integration.sync"),
            "integration",
        )
        == []
    )


def test_visma_webshop_does_not_import_orders():
    assert (
        offending(
            lambda i: (
                within(i.module, "integration.visma_webshop") and within(i.target, "integration.orders")
            ),
            "integration",
        )
        == []
    )


def is_field(value: ast.expr) -> bool:
    """`models.SomethingField(...)` (or a bare `SomethingField(...)`)."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name.endswith("Field")


# Where a keyword names a column: another call's `token=` (an OAuth token, say) is not the claim's.
ORM_CALLS = {"filter", "exclude", "get", "update", "create", "get_or_create", "update_or_create", "Q", "F"}


def call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def claim_code(path: Path) -> Iterator[str]:
    """Claim fields declared, or claim fields written or filtered on, in `path`."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and is_field(
            node.value
        ):  # a model field: token = models.PositiveIntegerField()
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in CLAIM_FIELDS:
                    yield f"{module_name(path)}:{node.lineno} declares {target.id}"
        elif (
            isinstance(node, ast.Call) and call_name(node) in ORM_CALLS
        ):  # .filter(token=...), Q(lease_until__lt=...)
            for keyword in node.keywords:
                if keyword.arg and keyword.arg.split("__")[0] in CLAIM_FIELDS:
                    yield f"{module_name(path)}:{node.lineno} uses {keyword.arg}"


def test_claim_fields_and_claim_logic_live_in_work_only():
    exempt = ("integration/work/", "integration/migrations/")
    found = [
        hit
        for path in python_files("integration", "portal")
        if not any(str(path.relative_to(ROOT)).startswith(e) for e in exempt)
        for hit in claim_code(path)
    ]
    assert found == []


def test_the_claim_check_sees_a_claim_written_elsewhere(monkeypatch):
    stray = ROOT / "integration" / "stray_claim_for_the_test.py"  # not written: parsed from a string below
    source = (
        "class Row(models.Model):\n    token = models.PositiveIntegerField()\n\n"
        "def take(row):\n    secret = make_token()\n    Row.objects.filter(pk=row.pk, token=row.token).update(lease_until=None)\n"
    )
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: source)
    assert sorted(claim_code(stray)) == [
        "integration.stray_claim_for_the_test:2 declares token",
        "integration.stray_claim_for_the_test:6 uses lease_until",
        "integration.stray_claim_for_the_test:6 uses token",
    ]


def is_shared_helper(target: str) -> bool:
    """What test modules may import from the tests package: conftest.py files and tests/fixtures/."""
    return "conftest" in target.split(".") or within(target, "tests.fixtures")


def test_test_modules_share_helpers_only_through_conftest_or_fixtures():
    assert (
        offending(
            lambda i: (
                within(i.target, "tests")
                and not is_shared_helper(i.target)
                and not i.target.startswith("tests.settings")
            ),
            "tests",
        )
        == []
    )


def test_the_import_walk_resolves_relative_imports():
    here = Path(__file__)
    found = {i.target for i in imports(ROOT / "integration" / "orders" / "transfer.py")}
    assert (
        "integration.orders.planning.OrderPlan" in found  # from .planning import OrderPlan
        and "integration.eaccounting.documents" in found  # from ..eaccounting import documents
    )
    assert module_name(here) == "tests.test_architecture"
