"""The sandbox's schema against the committed contract (sandbox/contracts/shopify/)."""

import json

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLScalarType,
    build_schema,
    get_named_type,
)

from sandbox.contracts import DIR
from sandbox.shopify import API_VERSION
from sandbox.shopify.schema import SDL_PATH

CONTRACT = json.loads((DIR / "shopify" / f"admin-graphql-{API_VERSION}.json").read_text())
BUILTIN = {"String", "Int", "Float", "Boolean", "ID"}
ROOTS = {"QueryRoot": "query_root", "Mutation": "mutation_root"}
KINDS = {
    GraphQLObjectType: "OBJECT",
    GraphQLInputObjectType: "INPUT_OBJECT",
    GraphQLEnumType: "ENUM",
    GraphQLScalarType: "SCALAR",
}


def _schema():
    return build_schema(SDL_PATH.read_text())


def _served_types():
    return {n: t for n, t in _schema().type_map.items() if not n.startswith("__") and n not in BUILTIN}


def test_the_contract_is_for_the_version_the_sandbox_serves():
    assert CONTRACT["api_version"] == API_VERSION == "2026-01"
    assert CONTRACT["endpoint"]["path"] == "/admin/api/{version}/graphql.json"
    assert CONTRACT["endpoint"]["auth_header"] == "X-Shopify-Access-Token"


def test_every_served_type_is_in_the_contract_with_its_kind():
    missing, wrong_kind = [], []
    for name, type_ in _served_types().items():
        if name in ROOTS:
            continue
        entry = CONTRACT["types"].get(name)
        if entry is None:
            missing.append(name)
        elif entry["kind"] != KINDS[type(type_)]:
            wrong_kind.append(name)
    assert missing == [] and wrong_kind == []


def test_every_served_field_and_argument_is_in_the_contract_with_the_same_type():
    problems = []
    for name, type_ in _served_types().items():
        if not isinstance(type_, GraphQLObjectType | GraphQLInputObjectType):
            continue
        documented = CONTRACT[ROOTS[name]] if name in ROOTS else CONTRACT["types"][name]["fields"]
        for field_name, field in type_.fields.items():
            entry = documented.get(field_name)
            if entry is None:
                problems.append(f"{name}.{field_name}: not in the contract")
                continue
            if str(field.type) != entry["type"]:
                problems.append(f"{name}.{field_name}: {field.type} served, {entry['type']} documented")
            for arg_name, arg in getattr(field, "args", {}).items():
                documented_arg = entry.get("args", {}).get(arg_name)
                if documented_arg != str(arg.type):
                    problems.append(
                        f"{name}.{field_name}({arg_name}): {arg.type} served, {documented_arg} documented"
                    )
    assert problems == []


def test_served_enum_values_are_documented_and_complete_unless_marked_subset():
    for name, type_ in _served_types().items():
        if isinstance(type_, GraphQLEnumType):
            entry = CONTRACT["types"][name]
            assert set(type_.values) <= set(entry["values"]), name
            if not entry.get("subset"):
                assert set(type_.values) == set(entry["values"]), name


def test_the_contract_is_closed_and_every_type_says_where_it_is_documented():
    defined = set(CONTRACT["types"]) | BUILTIN | set(CONTRACT["not_transcribed"])
    referenced = set()
    for entry in [*CONTRACT["types"].values()]:
        for field in entry.get("fields", {}).values():
            referenced.add(field["type"].strip("[]!").strip("[]!"))
            referenced.update(a.strip("[]!") for a in field.get("args", {}).values())
    for root in ("query_root", "mutation_root"):
        for field in CONTRACT[root].values():
            referenced.add(field["type"].strip("[]!"))
            referenced.update(a.strip("[]!") for a in field.get("args", {}).values())
            assert field["documented_at"].startswith(
                f"https://shopify.dev/docs/api/admin-graphql/{API_VERSION}/"
            )
    assert referenced - defined == set()
    for name, entry in CONTRACT["types"].items():
        assert entry["documented_at"].startswith(
            f"https://shopify.dev/docs/api/admin-graphql/{API_VERSION}/"
        ), name
        assert entry["read_from"], name


def test_the_sandbox_root_fields_resolve_to_types_in_the_contract():
    schema = _schema()
    for field in schema.query_type.fields.values():
        assert get_named_type(field.type).name in CONTRACT["types"]
