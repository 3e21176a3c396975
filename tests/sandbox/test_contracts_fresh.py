"""The contracts in sandbox/contracts/ are what the refresh command derives from the published references,
and they cover what the sandbox serves. The freshness check needs a copy of the references
(where `python -m sandbox.contracts.refresh` looks for them); without one it is skipped."""

import json

import pytest

from sandbox.contracts import DIR, eaccounting_openapi, refresh


def test_committed_contracts_equal_a_fresh_refresh():
    source = refresh.source_dir()
    if not (source / refresh.EACCOUNTING_SOURCE).is_file():
        pytest.skip(
            f"the published references are not at hand ({source} has no {refresh.EACCOUNTING_SOURCE}); "
            "set SILTA_SPECS_DIR to check the committed contracts against them"
        )
    diff = refresh.differences(refresh.build(source))
    assert not diff, "out of date; run `python -m sandbox.contracts.refresh`:\n  " + "\n  ".join(diff)


def test_the_contract_has_every_operation_the_sandbox_serves():
    """Checked without the references: a new sandbox route needs a refresh, or its answers go unchecked."""
    contract = {
        (m, refresh._shape(p))
        for p, item in eaccounting_openapi()["paths"].items()
        for m in item
        if m in refresh.METHODS
    }
    assert refresh.served_operations() - contract == set()


def test_the_sandbox_schemas_are_generated_from_the_committed_contract():
    from sandbox.eaccounting import schemagen

    assert json.loads(schemagen.OUT.read_text()) == schemagen.generate()


def test_contract_files_are_deterministic_json():
    for path in sorted(DIR.rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        assert text == refresh.dump(json.loads(text)), f"{path.relative_to(DIR)} is not in the canonical form"
