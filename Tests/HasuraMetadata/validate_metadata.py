#!/usr/bin/env python3
"""Offline checks of the Hasura project in hasura/ (no Hasura engine or CLI needed).

1. Loads hasura/metadata/ the way the Hasura CLI does (following `!include`), parses actions.graphql and
   assembles the JSON metadata (version 3) that `hasura metadata apply` would send.
2. Validates that JSON against Hasura's published schema (`MetadataV3` in metadata.openapi.json, kept
   outside the repository in ../shared/hasura/); skipped when the file is absent.
3. Checks the project's own rules: tenant-scoped permissions (every filter and check confined to
   X-Hasura-Tenant-Id, every insert presetting tenant_id, and a run of that rule on a broken copy to show it
   notices), what tenant_admin may write on each Fineract table, the job_inserted event trigger, the action
   and cron trigger settings, and the names the request fixtures use.
4. With POSTGRES_HOST/PORT/USER/DB set and psql on the PATH: applies every migration to a scratch database
   and checks that every tracked table, every column named in permissions, presets and relationships, and
   every foreign key a relationship relies on exists, that every table is tracked, that every tracked table
   with a tenant_id column has tenant-scoped permissions, and that every foreign key of a Fineract table has
   relationships on both sides; the scratch database is dropped afterwards.
5. Checks actions.graphql against the handler contract below.

Prints one line per check and ends with `N passed, M failed` (and `, K skipped`). Exits 1 on any failure.
Needs Python 3.11 with pyyaml and jsonschema only.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

REPO = Path(__file__).resolve().parents[2]
HASURA = REPO / "hasura"
METADATA = HASURA / "metadata"
MIGRATIONS = REPO / "migrations" / "default"
SHARED = REPO.parent / "shared" / "hasura"
OPENAPI = SHARED / "metadata.openapi.json"
FIXTURES = SHARED / "fixtures"

TENANT_ROLES = ("tenant_viewer", "tenant_admin")
ENGINE_TENANT_SCOPED = {"job", "job_execution", "job_execution_attempt"}
ENGINE_INTERNAL = {
    "job_lock", "job_queue", "job_config", "job_node", "job_probe_attempt", "hasura_event_receipt",
}
# The Fineract tables by what tenant_admin may do with them; tenant_viewer only reads. hasura/README.md gives the
# reasons: reference data the jobs only read is editable, accounts and their facts may be added but the jobs own them
# afterwards, and what the jobs compute is read-only.
FINERACT_EDITABLE = {
    "m_office", "m_client", "acc_gl_account", "acc_product_mapping", "acc_gl_closure", "m_product_loan", "m_charge",
    "m_savings_product", "m_delinquency_bucket", "m_delinquency_range",
}
FINERACT_UPDATE_ONLY = {"c_configuration"}
FINERACT_INSERT_ONLY = {
    "m_loan", "m_loan_repayment_schedule", "m_loan_transaction", "m_loan_charge", "m_product_loan_charge",
    "m_delinquency_bucket_mappings", "m_savings_account", "m_savings_account_transaction", "sms_messages_outbound",
    "scheduled_email_messages_outbound",
}
FINERACT_READ_ONLY = {
    "m_business_date", "m_batch_business_steps", "acc_gl_journal_entry", "m_trial_balance", "m_loan_arrears_aging",
    "m_loan_delinquency_tag_history", "m_loan_overdue_installment_charge", "m_loan_account_locks", "job_run",
}
FINERACT_TENANT_SCOPED = FINERACT_EDITABLE | FINERACT_UPDATE_ONLY | FINERACT_INSERT_ONLY | FINERACT_READ_ONLY
# Shared by every tenant: readable by every role without a filter, written by admin only.
GLOBAL_TABLES = {"m_currency"}
TENANT_SCOPED = ENGINE_TENANT_SCOPED | FINERACT_TENANT_SCOPED
EXPECTED_TABLES = TENANT_SCOPED | ENGINE_INTERNAL | GLOBAL_TABLES | {"tenant"}
# The one column a tenant writes that the jobs maintain afterwards: a new loan charge starts with its whole amount
# outstanding, and the column has no default.
TENANT_WRITABLE_DERIVED = {("m_loan_charge", "amount_outstanding_derived")}
TENANT_FILTER = {"tenant_id": {"_eq": "X-Hasura-Tenant-Id"}}
PERMISSION_KINDS = ("select_permissions", "insert_permissions", "update_permissions", "delete_permissions")
SECRET_HEADER = {"name": "X-Scheduler-Secret", "value_from_env": "SCHEDULER_WEBHOOK_SECRET"}
BASE_URL = "{{FINERACT_JOBS_URL}}"

# The handler contract. The Swift action handlers (routes /actions/<name>) read exactly these arguments and
# input fields and answer with exactly these output fields; keep both sides in step when either changes.
HANDLER_CONTRACT: dict[str, dict[str, Any]] = {
    "createJob": {
        "arguments": {"input": "CreateJobInput!"},
        "output": "CreateJobOutput",
    },
    "executeJob": {
        "arguments": {"jobId": "uuid!", "parameters": "jsonb", "idempotencyKey": "String"},
        "output": "ExecuteJobOutput",
    },
    "cancelJob": {
        "arguments": {"jobId": "uuid!", "reason": "String"},
        "output": "CancelJobOutput",
    },
}
CONTRACT_TYPES: dict[str, dict[str, str]] = {
    "CreateJobInput": {
        "name": "String!",
        "description": "String",
        "jobType": "String!",
        "cronExpression": "String",
        "timezone": "String",
        "executionInterval": "String",
        "startAt": "timestamptz",
        "priority": "String",
        "parameters": "jsonb",
        "maxRetries": "Int",
        "timeoutSeconds": "Int",
        "misfirePolicy": "String",
        "allowOverlap": "Boolean",
    },
    "CreateJobOutput": {"id": "uuid!", "status": "String!", "nextRunAt": "timestamptz"},
    "ExecuteJobOutput": {"executionId": "uuid!", "jobId": "uuid!", "status": "String!", "created": "Boolean!"},
    "CancelJobOutput": {"id": "uuid!", "status": "String!"},
}


# ----------------------------------------------------------------------------------------------------------
# Reporting


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}")
        return ok

    def skip(self, name: str, reason: str) -> None:
        self.skipped += 1
        print(f"SKIP {name}: {reason}")

    def summary(self) -> str:
        line = f"{self.passed} passed, {self.failed} failed"
        if self.skipped:
            line += f", {self.skipped} skipped"
        return line


# ----------------------------------------------------------------------------------------------------------
# YAML with `!include`
#
# The CLI writes includes as quoted strings ("!include file.yaml"); a bare `!include file.yaml` tag is
# accepted too. Either way the path is relative to the folder of the file that contains it.

INCLUDE_PREFIX = "!include "


class _IncludeTag:
    def __init__(self, target: str) -> None:
        self.target = target


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!include", lambda loader, node: _IncludeTag(loader.construct_scalar(node)))


def load_yaml(path: Path, seen: tuple[Path, ...] = ()) -> Any:
    path = path.resolve()
    if path in seen:
        raise ValueError(f"include cycle: {' -> '.join(map(str, seen + (path,)))}")
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass

    def resolve(value: Any) -> Any:
        if isinstance(value, _IncludeTag):
            return load_yaml(path.parent / value.target.strip(), seen + (path,))
        if isinstance(value, str) and value.startswith(INCLUDE_PREFIX):
            return load_yaml(path.parent / value[len(INCLUDE_PREFIX) :].strip(), seen + (path,))
        if isinstance(value, list):
            return [resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: resolve(item) for key, item in value.items()}
        return value

    return resolve(data)


# ----------------------------------------------------------------------------------------------------------
# A small GraphQL SDL reader: object, input, scalar and enum definitions, fields with arguments and
# descriptions. Enough for actions.graphql; it is not a general GraphQL parser.

_TOKEN = re.compile(
    r'(?P<block>"""(?:[^"\\]|\\.|"(?!""))*""")'
    r'|(?P<string>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<space>[\s,\ufeff]+)"
    r"|(?P<punct>[{}()\[\]:!=@|&]|\.\.\.)"
    r"|(?P<name>[_A-Za-z][_0-9A-Za-z]*)"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ValueError(f"unexpected character {text[position]!r} at offset {position}")
        position = match.end()
        kind = match.lastgroup or ""
        if kind in ("space", "comment"):
            continue
        value = match.group()
        if kind == "block":
            lines = value[3:-3].strip("\n").splitlines()
            indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
            cut = min(indents) if indents else 0
            tokens.append(("string", "\n".join(line[cut:] for line in lines).strip()))
        elif kind == "string":
            tokens.append(("string", json.loads(value)))
        else:
            tokens.append((kind, value))
    return tokens


class _SDLParser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise ValueError(f"unexpected end of document, expected {value or kind}")
        if (value is not None and token[1] != value) or (kind is not None and token[0] != kind):
            raise ValueError(f"expected {value or kind}, found {token[1]!r}")
        self.index += 1
        return token[1]

    def at(self, value: str) -> bool:
        token = self.peek()
        return token is not None and token[0] != "string" and token[1] == value

    def description(self) -> str | None:
        token = self.peek()
        if token is not None and token[0] == "string":
            self.index += 1
            return token[1]
        return None

    def type_ref(self) -> str:
        if self.at("["):
            self.take("[")
            inner = self.type_ref()
            self.take("]")
            text = f"[{inner}]"
        else:
            text = self.take(kind="name")
        if self.at("!"):
            self.take("!")
            text += "!"
        return text

    def skip_value(self) -> None:
        token = self.take()
        if token in ("[", "{"):
            closing = "]" if token == "[" else "}"
            while not self.at(closing):
                if token == "{" and self.peek() and self.peek()[0] == "name":  # type: ignore[index]
                    self.take(kind="name")
                    self.take(":")
                self.skip_value()
            self.take(closing)

    def directives(self) -> None:
        while self.at("@"):
            self.take("@")
            self.take(kind="name")
            if self.at("("):
                self.take("(")
                while not self.at(")"):
                    self.take(kind="name")
                    self.take(":")
                    self.skip_value()
                self.take(")")

    def value_definition(self, with_arguments: bool) -> dict[str, Any]:
        description = self.description()
        field: dict[str, Any] = {"name": self.take(kind="name")}
        if description:
            field["description"] = description
        if with_arguments and self.at("("):
            self.take("(")
            arguments = []
            while not self.at(")"):
                arguments.append(self.value_definition(with_arguments=False))
            self.take(")")
            field["arguments"] = arguments
        self.take(":")
        field["type"] = self.type_ref()
        if self.at("="):
            self.take("=")
            self.skip_value()
        self.directives()
        return field

    def document(self) -> list[dict[str, Any]]:
        definitions = []
        while self.peek() is not None:
            description = self.description()
            keyword = self.take(kind="name")
            extend = keyword == "extend"
            if extend:
                keyword = self.take(kind="name")
            definition: dict[str, Any] = {"kind": keyword, "name": self.take(kind="name"), "extend": extend}
            if description:
                definition["description"] = description
            if keyword in ("type", "input", "interface"):
                if self.at("implements"):
                    self.take("implements")
                    while self.peek() and self.peek()[0] == "name" or self.at("&"):  # type: ignore[index]
                        self.take()
                self.directives()
                self.take("{")
                fields = []
                while not self.at("}"):
                    fields.append(self.value_definition(with_arguments=keyword != "input"))
                self.take("}")
                definition["fields"] = fields
            elif keyword == "enum":
                self.directives()
                self.take("{")
                values = []
                while not self.at("}"):
                    value_description = self.description()
                    value: dict[str, Any] = {"value": self.take(kind="name")}
                    if value_description:
                        value["description"] = value_description
                    self.directives()
                    values.append(value)
                self.take("}")
                definition["values"] = values
            elif keyword == "scalar":
                self.directives()
            else:
                raise ValueError(f"unsupported definition {keyword!r}")
            definitions.append(definition)
        return definitions


def parse_sdl(text: str) -> list[dict[str, Any]]:
    return _SDLParser(text).document()


# ----------------------------------------------------------------------------------------------------------
# Assembling the directory into Hasura's JSON metadata

# File name -> key of the JSON metadata.
TOP_LEVEL_FILES = {
    "allow_list.yaml": "allowlist",
    "api_limits.yaml": "api_limits",
    "backend_configs.yaml": "backend_configs",
    "cron_triggers.yaml": "cron_triggers",
    "graphql_schema_introspection.yaml": "graphql_schema_introspection",
    "inherited_roles.yaml": "inherited_roles",
    "metrics_config.yaml": "metrics_config",
    "network.yaml": "network",
    "opentelemetry.yaml": "opentelemetry",
    "query_collections.yaml": "query_collections",
    "remote_schemas.yaml": "remote_schemas",
    "rest_endpoints.yaml": "rest_endpoints",
}


def assemble(metadata_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Returns (JSON metadata, SDL definitions by name plus root fields under '__root__')."""
    version = load_yaml(metadata_dir / "version.yaml")
    result: dict[str, Any] = {"version": version["version"]}
    sources = load_yaml(metadata_dir / "databases" / "databases.yaml") or []
    result["sources"] = sources

    sdl = parse_sdl((metadata_dir / "actions.graphql").read_text(encoding="utf-8"))
    roots: dict[str, tuple[str, dict[str, Any]]] = {}
    types: dict[str, dict[str, Any]] = {}
    for definition in sdl:
        if definition["kind"] == "type" and definition["name"] in ("Query", "Mutation"):
            for field in definition["fields"]:
                if field["name"] in roots:
                    raise ValueError(f"action {field['name']} is declared twice in actions.graphql")
                roots[field["name"]] = (definition["name"].lower(), field)
        else:
            if definition["name"] in types:
                raise ValueError(f"type {definition['name']} is declared twice in actions.graphql")
            types[definition["name"]] = definition

    actions_file = load_yaml(metadata_dir / "actions.yaml") or {}
    actions = []
    for action in actions_file.get("actions") or []:
        name = action["name"]
        if name not in roots:
            raise ValueError(f"action {name} has no field in actions.graphql")
        operation, field = roots[name]
        assembled = copy.deepcopy(action)
        definition = assembled.setdefault("definition", {})
        # The CLI takes the operation type, arguments and output type from actions.graphql.
        definition["type"] = operation
        if operation == "query":
            definition.pop("kind", None)
        definition["arguments"] = [
            {key: argument[key] for key in ("name", "type", "description") if key in argument}
            for argument in field.get("arguments", [])
        ]
        definition["output_type"] = field["type"]
        if "description" in field and "comment" not in assembled:
            assembled["comment"] = field["description"]
        actions.append(assembled)
    result["actions"] = actions

    declared = actions_file.get("custom_types") or {}
    custom_types: dict[str, list[dict[str, Any]]] = {}
    for section, kind in (("input_objects", "input"), ("objects", "type"), ("scalars", "scalar"), ("enums", "enum")):
        entries = []
        for entry in declared.get(section) or []:
            sdl_type = types.get(entry["name"])
            if sdl_type is None or sdl_type["kind"] != kind:
                raise ValueError(f"custom type {entry['name']} ({section}) has no `{kind}` in actions.graphql")
            assembled_type = copy.deepcopy(entry)
            if "description" in sdl_type:
                assembled_type.setdefault("description", sdl_type["description"])
            if kind in ("input", "type"):
                assembled_type["fields"] = [
                    {key: field[key] for key in ("name", "type", "description") if key in field}
                    for field in sdl_type["fields"]
                ]
            elif kind == "enum":
                assembled_type["values"] = sdl_type["values"]
            entries.append(assembled_type)
        custom_types[section] = entries
    result["custom_types"] = custom_types

    for file_name, key in TOP_LEVEL_FILES.items():
        path = metadata_dir / file_name
        if not path.exists():
            continue
        value = load_yaml(path)
        # An empty object means "defaults"; the server leaves such keys out of exported metadata.
        if value is None or value == {}:
            continue
        result[key] = value
    return result, {"types": types, "roots": roots, "declared": declared}


# ----------------------------------------------------------------------------------------------------------
# Hasura's OpenAPI document as JSON Schema


def openapi_to_jsonschema(node: Any) -> Any:
    """Rewrites OpenAPI 3.0 `nullable: true` into JSON Schema, recursively."""
    if isinstance(node, list):
        return [openapi_to_jsonschema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: openapi_to_jsonschema(value) for key, value in node.items()}
    if converted.pop("nullable", False):
        if "$ref" in converted or "type" not in converted:
            extra = {k: v for k, v in converted.items() if k in ("description", "default")}
            rest = {k: v for k, v in converted.items() if k not in ("description", "default")}
            converted = {"anyOf": [rest, {"type": "null"}], **extra}
        else:
            kind = converted["type"]
            converted["type"] = (kind if isinstance(kind, list) else [kind]) + ["null"]
            if "enum" in converted and None not in converted["enum"]:
                converted["enum"] = converted["enum"] + [None]
    return converted


def schema_validator(openapi: dict[str, Any], root: str) -> jsonschema.protocols.Validator:
    document = {
        "$ref": f"#/components/schemas/{root}",
        "components": openapi_to_jsonschema(openapi["components"]),
    }
    # OpenAPI 3.0 schema objects follow draft 4/5 rules (siblings of `$ref` are ignored, as in draft 4).
    return jsonschema.Draft4Validator(document)


def schema_errors(validator: jsonschema.protocols.Validator, instance: Any, limit: int = 3) -> list[str]:
    errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    messages = []
    for error in errors[:limit]:
        # Inside oneOf/anyOf, the branch that got furthest into the instance usually names the real problem.
        deepest = error
        while deepest.context:
            deepest = max(deepest.context, key=lambda sub: (len(sub.absolute_path), -len(sub.context or [])))
        where = "/".join(str(part) for part in deepest.absolute_path) or "(root)"
        messages.append(f"{where}: {deepest.message[:300]}")
    if len(errors) > limit:
        messages.append(f"... {len(errors) - limit} more")
    return messages


# ----------------------------------------------------------------------------------------------------------
# Helpers over the assembled metadata


def tables_of(metadata: dict[str, Any]) -> dict[str, dict[str, Any]]:
    source = next(source for source in metadata["sources"] if source["name"] == "default")
    return {f"{entry['table']['schema']}.{entry['table']['name']}": entry for entry in source["tables"]}


ForeignKeys = set[tuple[str, tuple[str, ...], str]]


def relationship_targets(
    tables: dict[str, dict[str, Any]], table_key: str, foreign_keys: ForeignKeys | None = None
) -> dict[str, str | None]:
    """Relationship name -> qualified remote table name (None when only the database could tell)."""
    entry = tables[table_key]
    schema = entry["table"]["schema"]
    targets: dict[str, str | None] = {}
    for kind in ("object_relationships", "array_relationships"):
        for relationship in entry.get(kind) or []:
            using = relationship["using"]
            if "manual_configuration" in using:
                remote = using["manual_configuration"]["remote_table"]
                targets[relationship["name"]] = f"{remote['schema']}.{remote['name']}"
                continue
            fk = using["foreign_key_constraint_on"]
            if isinstance(fk, dict):
                targets[relationship["name"]] = f"{fk['table']['schema']}.{fk['table']['name']}"
            else:
                # An object relationship on a local column: the foreign key names the remote table.
                fk_columns = tuple(fk) if isinstance(fk, list) else (fk,)
                targets[relationship["name"]] = next(
                    (remote for table, cols, remote in foreign_keys or () if table == table_key and cols == fk_columns),
                    None,
                )
    return targets


def bool_exp_columns(
    expression: Any, table_key: str, tables: dict[str, dict[str, Any]], foreign_keys: ForeignKeys | None = None
) -> list[tuple[str, str]]:
    """(table, column) pairs a boolean expression names, following relationships."""
    found: list[tuple[str, str]] = []
    if isinstance(expression, list):
        for item in expression:
            found += bool_exp_columns(item, table_key, tables, foreign_keys)
        return found
    if not isinstance(expression, dict):
        return found
    for key, value in expression.items():
        if key in ("_and", "_or", "_not"):
            found += bool_exp_columns(value, table_key, tables, foreign_keys)
        elif key == "_exists":
            remote = value["_table"]
            found += bool_exp_columns(value["_where"], f"{remote['schema']}.{remote['name']}", tables, foreign_keys)
        elif key.startswith("_"):
            continue
        else:
            targets = relationship_targets(tables, table_key, foreign_keys) if table_key in tables else {}
            target = targets.get(key)
            if target:
                found += bool_exp_columns(value, target, tables, foreign_keys)
            elif key in targets:
                found.append((table_key, f"relationship:{key}"))
            else:
                found.append((table_key, key))
    return found


def mentions_tenant_session(expression: Any) -> bool:
    text = json.dumps(expression).lower()
    return "x-hasura-tenant-id" in text


# ----------------------------------------------------------------------------------------------------------
# Checks


def check_layout(report: Report) -> None:
    report.check("layout: hasura/config.yaml exists", (HASURA / "config.yaml").is_file(), "missing")
    try:
        config = yaml.safe_load((HASURA / "config.yaml").read_text(encoding="utf-8"))
        report.check(
            "layout: config.yaml is CLI config v3 with metadata_directory `metadata`",
            config.get("version") == 3 and config.get("metadata_directory", "metadata") == "metadata",
            f"got {config!r}",
        )
        migrations_dir = HASURA / config.get("migrations_directory", "migrations")
        report.check(
            "layout: the CLI's migrations directory leads to the repository's migrations",
            migrations_dir.resolve() == (REPO / "migrations").resolve(),
            f"{migrations_dir} resolves to {migrations_dir.resolve()}",
        )
    except Exception as error:  # noqa: BLE001
        report.check("layout: config.yaml parses", False, str(error))
    for name in ["version.yaml", "actions.graphql", "actions.yaml", "databases/databases.yaml", *TOP_LEVEL_FILES]:
        report.check(f"layout: metadata/{name} exists", (METADATA / name).is_file(), "missing")
    for path in sorted(METADATA.rglob("*.yaml")):
        try:
            load_yaml(path)
        except Exception as error:  # noqa: BLE001
            report.check(f"layout: {path.relative_to(HASURA)} loads", False, str(error))


def check_schema(report: Report, metadata: dict[str, Any]) -> None:
    if not OPENAPI.is_file():
        report.skip(
            "schema: metadata validates against MetadataV3",
            f"{OPENAPI} (../shared/hasura/metadata.openapi.json) not found",
        )
        return
    openapi = json.loads(OPENAPI.read_text(encoding="utf-8"))
    schemas = openapi["components"]["schemas"]
    root = "MetadataV3" if "MetadataV3" in schemas else "Metadata"
    parts = [
        ("PostgresSourceMetadata", f"source {source['name']}", source) for source in metadata["sources"]
    ]
    parts += [
        ("PostgresTableMetadata", f"table {key}", entry) for key, entry in tables_of(metadata).items()
    ]
    parts += [("ActionMetadata", f"action {action['name']}", action) for action in metadata["actions"]]
    parts += [("CustomTypes", "custom_types", metadata["custom_types"])]
    parts += [("CronTriggerMetadata", f"cron trigger {t['name']}", t) for t in metadata.get("cron_triggers", [])]
    for schema_name, label, instance in parts:
        if schema_name not in schemas:
            report.skip(f"schema: {label} validates against {schema_name}", "schema not in the document")
            continue
        messages = schema_errors(schema_validator(openapi, schema_name), instance)
        report.check(f"schema: {label} validates against {schema_name}", not messages, "; ".join(messages))
    messages = schema_errors(schema_validator(openapi, root), metadata)
    report.check(f"schema: assembled metadata validates against {root}", not messages, "; ".join(messages))


def check_sources(report: Report, metadata: dict[str, Any]) -> None:
    sources = metadata["sources"]
    default = [source for source in sources if source.get("name") == "default"]
    ok = len(default) == 1 and default[0].get("kind") == "postgres"
    report.check("sources: one Postgres source named default", ok, f"got {[s.get('name') for s in sources]}")
    if not ok:
        return
    url = default[0]["configuration"]["connection_info"].get("database_url")
    report.check(
        "sources: database URL comes from env PG_DATABASE_URL", url == {"from_env": "PG_DATABASE_URL"}, f"got {url!r}"
    )
    tracked = {key.split(".", 1)[1] for key in tables_of(metadata) if key.startswith("public.")}
    report.check(
        "sources: every engine table is tracked",
        tracked == EXPECTED_TABLES,
        f"missing {sorted(EXPECTED_TABLES - tracked)}, unexpected {sorted(tracked - EXPECTED_TABLES)}",
    )
    tables_yaml = (METADATA / "databases/default/tables/tables.yaml").read_text(encoding="utf-8")
    for table in sorted(EXPECTED_TABLES):
        report.check(
            f"sources: tables.yaml includes public_{table}.yaml",
            f"!include public_{table}.yaml" in tables_yaml,
            "no such !include line",
        )


def check_relationships(report: Report, metadata: dict[str, Any]) -> None:
    tables = tables_of(metadata)
    expected = {
        ("public.job", "object_relationships", "tenant"): "public.tenant",
        ("public.job", "array_relationships", "executions"): "public.job_execution",
        ("public.tenant", "array_relationships", "jobs"): "public.job",
        ("public.job_execution", "object_relationships", "job"): "public.job",
        ("public.job_execution", "object_relationships", "parent"): "public.job_execution",
        ("public.job_execution", "object_relationships", "lease"): "public.job_lock",
        ("public.job_execution", "array_relationships", "attempts"): "public.job_execution_attempt",
        ("public.job_execution", "array_relationships", "children"): "public.job_execution",
        ("public.job_execution_attempt", "object_relationships", "execution"): "public.job_execution",
    }
    for (table, kind, name), remote in expected.items():
        names = [relationship["name"] for relationship in tables.get(table, {}).get(kind) or []]
        report.check(f"relationships: {table}.{name} ({kind.split('_')[0]})", name in names, f"not in {names}")
    for key, entry in tables.items():
        names = [r["name"] for kind in ("object_relationships", "array_relationships") for r in entry.get(kind) or []]
        columns = set()
        for kind in ("select_permissions",):
            for permission in entry.get(kind) or []:
                cols = permission["permission"].get("columns")
                columns |= set(cols) if isinstance(cols, list) else set()
        clash = sorted(set(names) & columns)
        report.check(f"relationships: {key} names are unique and clash with no column", not clash and
                     len(names) == len(set(names)), f"clashes {clash}, names {names}")


def is_tenant_scoped(expression: Any, table: str) -> bool:
    """Whether a filter or check limits rows to the session's tenant (directly or as one term of an `_and`)."""
    if table == "tenant":
        return expression == {"id": {"_eq": "X-Hasura-Tenant-Id"}}
    if table == "job_execution_attempt":
        return expression == {"execution": TENANT_FILTER}
    if not isinstance(expression, dict):
        return False
    return expression == TENANT_FILTER or TENANT_FILTER in (expression.get("_and") or [])


def tenant_scope_violations(tables: dict[str, dict[str, Any]], scoped: set[str]) -> list[str]:
    """What keeps the tenant roles' permissions on the `scoped` tables from being confined to the session's tenant.

    Every select, update and delete filter and every insert and update check must name the session's tenant, every
    insert must preset tenant_id from it, and no tenant role may write tenant_id itself.
    """
    violations = []
    for key in sorted(tables):
        table = key.split(".", 1)[1]
        if table not in scoped:
            continue
        for kind in PERMISSION_KINDS:
            operation = kind.split("_")[0]
            for permission in tables[key].get(kind) or []:
                role, body = permission["role"], permission["permission"]
                if role not in TENANT_ROLES:
                    continue
                clauses = {"select": ["filter"], "insert": ["check"], "update": ["filter", "check"],
                           "delete": ["filter"]}[operation]
                for clause in clauses:
                    if not is_tenant_scoped(body.get(clause), table):
                        violations.append(f"{table} {operation} {clause} for {role}: {json.dumps(body.get(clause))}")
                if operation == "insert":
                    preset = str((body.get("set") or {}).get("tenant_id", "")).lower()
                    if preset != "x-hasura-tenant-id":
                        violations.append(f"{table} insert for {role} does not preset tenant_id from the session")
                if operation in ("insert", "update") and "tenant_id" in (body.get("columns") or []):
                    violations.append(f"{table} {operation} for {role} lets the client write tenant_id")
    return violations


def check_permissions(report: Report, metadata: dict[str, Any]) -> None:
    tables = tables_of(metadata)
    kinds = PERMISSION_KINDS
    for table in sorted(ENGINE_INTERNAL):
        entry = tables.get(f"public.{table}", {})
        roles = [p["role"] for kind in kinds for p in entry.get(kind) or []]
        report.check(f"permissions: engine-internal {table} has no role permissions", not roles, f"roles {roles}")
    for table in sorted(TENANT_SCOPED | GLOBAL_TABLES | {"tenant"}):
        entry = tables.get(f"public.{table}", {})
        select_roles = sorted(p["role"] for p in entry.get("select_permissions") or [])
        report.check(
            f"permissions: {table} select for tenant_viewer and tenant_admin",
            select_roles == sorted(TENANT_ROLES),
            f"roles {select_roles}",
        )
        for kind in kinds:
            for permission in entry.get(kind) or []:
                role = permission["role"]
                if role not in TENANT_ROLES:
                    report.check(f"permissions: {table} {kind} role {role} is a known role", False, "unknown role")
                if role == "tenant_viewer" and kind != "select_permissions":
                    report.check(f"permissions: tenant_viewer is read-only on {table}", False, f"has {kind}")
    violations = tenant_scope_violations(tables, TENANT_SCOPED | {"tenant"})
    for table in sorted(TENANT_SCOPED | {"tenant"}):
        own = [line for line in violations if line.split(" ", 1)[0] == table]
        report.check(
            f"permissions: {table} tenant permissions are scoped to X-Hasura-Tenant-Id, inserts preset tenant_id",
            not own,
            "; ".join(own),
        )
    check_scope_rule_catches_omissions(report, tables)
    for table in sorted(GLOBAL_TABLES):
        entry = tables.get(f"public.{table}", {})
        filters = [p["permission"].get("filter") for p in entry.get("select_permissions") or []]
        writes = [p["role"] for kind in kinds[1:] for p in entry.get(kind) or []]
        report.check(
            f"permissions: global {table} is readable by every tenant role and written by admin only",
            all(f == {} for f in filters) and not writes,
            f"filters {filters}, writes for {writes}",
        )
    check_fineract_writes(report, tables)


def check_fineract_writes(report: Report, tables: dict[str, dict[str, Any]]) -> None:
    """tenant_admin writes the Fineract tables as the categories above say, never the jobs' own columns."""
    for table in sorted(FINERACT_TENANT_SCOPED):
        entry = tables.get(f"public.{table}", {})
        writers = {
            kind.split("_")[0]: sorted(p["role"] for p in entry.get(kind) or [])
            for kind in PERMISSION_KINDS[1:]
        }
        expected = {
            "insert": ["tenant_admin"] if table in FINERACT_EDITABLE | FINERACT_INSERT_ONLY else [],
            "update": ["tenant_admin"] if table in FINERACT_EDITABLE | FINERACT_UPDATE_ONLY else [],
            "delete": [],
        }
        report.check(f"permissions: {table} writes are {expected}", writers == expected, f"got {writers}")
        owned = []
        for kind in ("insert_permissions", "update_permissions"):
            for permission in entry.get(kind) or []:
                for column in permission["permission"].get("columns") or []:
                    engine_column = column in ("id", "version", "job_run_id") or column.endswith("_derived")
                    if engine_column and (table, column) not in TENANT_WRITABLE_DERIVED:
                        owned.append(f"{kind.split('_')[0]} {column}")
        report.check(f"permissions: {table} tenant writes leave the jobs' columns alone", not owned, f"{owned}")


def check_scope_rule_catches_omissions(report: Report, tables: dict[str, dict[str, Any]]) -> None:
    """The scope rule itself: on a copy with a filter, a check and a preset removed, it must name all three."""
    if not all(f"public.{name}" in tables for name in ("m_loan", "m_client")):
        report.check("permissions: the scope rule catches a missing filter, check and preset", False,
                     "m_loan or m_client not tracked")
        return
    broken = copy.deepcopy({key: tables[key] for key in ("public.m_loan", "public.m_client")})
    for permission in broken["public.m_loan"].get("select_permissions") or []:
        if permission["role"] == "tenant_viewer":
            permission["permission"]["filter"] = {}
    for permission in broken["public.m_loan"].get("insert_permissions") or []:
        permission["permission"].get("set", {}).pop("tenant_id", None)
    for permission in broken["public.m_client"].get("update_permissions") or []:
        permission["permission"]["check"] = {"display_name": {"_neq": ""}}
    found = tenant_scope_violations(broken, {"m_loan", "m_client"})
    expected = [
        "m_client update check for tenant_admin",
        "m_loan insert for tenant_admin does not preset",
        "m_loan select filter for tenant_viewer",
    ]
    report.check(
        "permissions: the scope rule catches a missing filter, check and preset",
        all(any(line.startswith(prefix) for line in found) for prefix in expected) and len(found) == len(expected),
        f"found {found}",
    )


def check_job_permissions(report: Report, metadata: dict[str, Any]) -> None:
    tables = tables_of(metadata)
    kinds = PERMISSION_KINDS
    job = tables["public.job"]
    inserts = {p["role"]: p["permission"] for p in job.get("insert_permissions") or []}
    report.check(
        "permissions: only tenant_admin may insert jobs", sorted(inserts) == ["tenant_admin"], f"{sorted(inserts)}"
    )
    if "tenant_admin" in inserts:
        insert = inserts["tenant_admin"]
        preset = {key: str(value).lower() for key, value in (insert.get("set") or {}).items()}
        report.check(
            "permissions: job insert presets tenant_id, created_by from the session and status pending",
            preset.get("tenant_id") == "x-hasura-tenant-id"
            and preset.get("created_by") == "x-hasura-user-id"
            and preset.get("status") == "pending",
            f"set {insert.get('set')}",
        )
        forbidden = {"tenant_id", "created_by", "status", "id", "next_run_at", "last_run_at", "status_reason"}
        report.check(
            "permissions: job insert columns leave out the preset and engine-owned columns",
            not (set(insert.get("columns") or []) & forbidden),
            f"columns {insert.get('columns')}",
        )
    updates = {p["role"]: p["permission"] for p in job.get("update_permissions") or []}
    report.check(
        "permissions: only tenant_admin may update jobs", sorted(updates) == ["tenant_admin"], f"{sorted(updates)}"
    )
    if "tenant_admin" in updates:
        columns = set(updates["tenant_admin"].get("columns") or [])
        report.check(
            "permissions: job update cannot move a job to another tenant or rewrite engine columns",
            not (columns & {"tenant_id", "id", "job_type", "created_by", "next_run_at", "last_run_at"}),
            f"columns {sorted(columns)}",
        )
        report.check(
            "permissions: job update check keeps the tenant",
            mentions_tenant_session(updates["tenant_admin"].get("check")),
            f"check {updates['tenant_admin'].get('check')}",
        )
    for table in ("job_execution", "job_execution_attempt", "tenant"):
        entry = tables[f"public.{table}"]
        writes = [p["role"] for kind in kinds[1:] for p in entry.get(kind) or []]
        report.check(f"permissions: {table} is read-only for tenant roles", not writes, f"writes for {writes}")


def check_event_trigger(report: Report, metadata: dict[str, Any]) -> None:
    job = tables_of(metadata)["public.job"]
    triggers = {trigger["name"]: trigger for trigger in job.get("event_triggers") or []}
    if not report.check("event trigger: job_inserted on public.job", "job_inserted" in triggers, f"{sorted(triggers)}"):
        return
    trigger = triggers["job_inserted"]
    definition = trigger["definition"]
    report.check(
        "event trigger: job_inserted fires on insert only, all columns",
        definition.get("insert") == {"columns": "*"}
        and "update" not in definition
        and "delete" not in definition,
        f"definition {definition}",
    )
    report.check(
        "event trigger: job_inserted retry_conf 5 retries, 10 s apart, 60 s timeout",
        trigger.get("retry_conf") == {"num_retries": 5, "interval_sec": 10, "timeout_sec": 60},
        f"retry_conf {trigger.get('retry_conf')}",
    )
    report.check(
        "event trigger: job_inserted webhook from the FINERACT_JOBS_URL template",
        trigger.get("webhook") == f"{BASE_URL}/hasura/events/job-inserted" and "webhook_from_env" not in trigger,
        f"webhook {trigger.get('webhook')!r}",
    )
    report.check(
        "event trigger: job_inserted sends the scheduler secret header",
        trigger.get("headers") == [SECRET_HEADER],
        f"headers {trigger.get('headers')}",
    )


def check_actions(report: Report, metadata: dict[str, Any]) -> None:
    actions = {action["name"]: action for action in metadata["actions"]}
    report.check(
        "actions: exactly createJob, executeJob, cancelJob",
        sorted(actions) == sorted(HANDLER_CONTRACT),
        f"got {sorted(actions)}",
    )
    for name, action in sorted(actions.items()):
        definition = action["definition"]
        report.check(
            f"actions: {name} is a synchronous mutation",
            definition.get("type") == "mutation" and definition.get("kind", "synchronous") == "synchronous",
            f"type {definition.get('type')}, kind {definition.get('kind')}",
        )
        report.check(
            f"actions: {name} handler is {BASE_URL}/actions/{name}",
            definition.get("handler") == f"{BASE_URL}/actions/{name}",
            f"handler {definition.get('handler')!r}",
        )
        report.check(
            f"actions: {name} forwards no client headers and sends the secret, timeout 30 s",
            definition.get("forward_client_headers") is False
            and definition.get("headers") == [SECRET_HEADER]
            and definition.get("timeout") == 30,
            f"forward {definition.get('forward_client_headers')}, headers {definition.get('headers')}, "
            f"timeout {definition.get('timeout')}",
        )
        roles = sorted(permission["role"] for permission in action.get("permissions") or [])
        report.check(f"actions: {name} allowed to tenant_admin only", roles == ["tenant_admin"], f"roles {roles}")


def check_cron_triggers(report: Report, metadata: dict[str, Any]) -> None:
    triggers = metadata.get("cron_triggers") or []
    report.check("cron triggers: at least one nightly all-tenant trigger", bool(triggers), "none")
    names = [trigger["name"] for trigger in triggers]
    report.check("cron triggers: names are unique", len(names) == len(set(names)), f"{names}")
    for trigger in triggers:
        name = trigger["name"]
        report.check(
            f"cron triggers: {name} posts to {BASE_URL}/hasura/cron with the secret",
            trigger.get("webhook") == f"{BASE_URL}/hasura/cron" and trigger.get("headers") == [SECRET_HEADER],
            f"webhook {trigger.get('webhook')!r}, headers {trigger.get('headers')}",
        )
        fields = str(trigger.get("schedule", "")).split()
        report.check(
            f"cron triggers: {name} has a 5-field schedule, kept in metadata, tolerance 300 s",
            len(fields) == 5
            and "?" not in trigger["schedule"]
            and trigger.get("include_in_metadata") is True
            and (trigger.get("retry_conf") or {}).get("tolerance_seconds") == 300,
            f"schedule {trigger.get('schedule')!r}, include_in_metadata {trigger.get('include_in_metadata')}, "
            f"retry_conf {trigger.get('retry_conf')}",
        )
        payload = trigger.get("payload") or {}
        report.check(
            f"cron triggers: {name} payload names a job type for all tenants",
            isinstance(payload.get("jobType"), str) and payload.get("allTenants") is True,
            f"payload {payload}",
        )


def check_fixtures(report: Report, metadata: dict[str, Any]) -> None:
    """The names the shared request fixtures use exist in this metadata."""
    if not FIXTURES.is_dir():
        report.skip("fixtures: names used by the request fixtures exist", f"{FIXTURES} not found")
        return
    actions = {action["name"] for action in metadata["actions"]}
    crons = {trigger["name"] for trigger in metadata.get("cron_triggers") or []}
    events = {t["name"] for entry in tables_of(metadata).values() for t in entry.get("event_triggers") or []}
    for path in sorted(FIXTURES.glob("*.request.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        if "action" in body:
            name = body["action"]["name"]
            report.check(f"fixtures: {path.name} names action {name}", name in actions, f"not in {sorted(actions)}")
        elif "trigger" in body:
            name = body["trigger"]["name"]
            table = f"{body['table']['schema']}.{body['table']['name']}"
            ok = name in events and any(
                t["name"] == name for t in tables_of(metadata).get(table, {}).get("event_triggers") or []
            )
            report.check(f"fixtures: {path.name} names event trigger {name} on {table}", ok, f"not in {sorted(events)}")
        elif "name" in body:
            name = body["name"]
            report.check(f"fixtures: {path.name} names cron trigger {name}", name in crons, f"not in {sorted(crons)}")


def check_handler_contract(report: Report, metadata: dict[str, Any], sdl: dict[str, Any]) -> None:
    actions = {action["name"]: action["definition"] for action in metadata["actions"]}
    for name, contract in HANDLER_CONTRACT.items():
        definition = actions.get(name)
        if definition is None:
            report.check(f"contract: {name} exists", False, "missing")
            continue
        arguments = {argument["name"]: argument["type"] for argument in definition.get("arguments") or []}
        report.check(
            f"contract: {name} arguments are {contract['arguments']}",
            arguments == contract["arguments"],
            f"actions.graphql has {arguments}",
        )
        report.check(
            f"contract: {name} returns {contract['output']}",
            definition.get("output_type", "").rstrip("!") == contract["output"],
            f"actions.graphql has {definition.get('output_type')}",
        )
    declared = {
        entry["name"]: {field["name"]: field["type"] for field in entry["fields"]}
        for section in ("input_objects", "objects")
        for entry in metadata["custom_types"].get(section) or []
    }
    for type_name, fields in CONTRACT_TYPES.items():
        actual = declared.get(type_name)
        report.check(
            f"contract: {type_name} fields match the handler",
            actual == fields,
            f"actions.graphql has {actual}; handler expects {fields}",
        )
    report.check(
        "contract: CreateJobInput carries no tenant (the tenant comes from the session)",
        "tenantId" not in (declared.get("CreateJobInput") or {}),
        "tenantId present",
    )
    sdl_types = {name for name, definition in sdl["types"].items()}
    named = {entry["name"] for section in metadata["custom_types"].values() for entry in section}
    report.check(
        "contract: every type in actions.graphql is listed in actions.yaml custom_types",
        sdl_types == named,
        f"only in actions.graphql {sorted(sdl_types - named)}, only in actions.yaml {sorted(named - sdl_types)}",
    )
    # The Swift decoder shared by REST and Hasura lists the fields it accepts; every CreateJobInput field must be
    # one of them, or the handler would refuse it as unknown.
    decoder = REPO / "Sources" / "JobsCore" / "JobDefinitionDecoder.swift"
    if not decoder.is_file():
        report.skip("contract: CreateJobInput fields are accepted by JobDefinitionDecoder", f"{decoder} not found")
        return
    match = re.search(r"acceptedFields\s*:\s*Set<String>\s*=\s*\[(.*?)\]", decoder.read_text(encoding="utf-8"), re.S)
    if not match:
        report.skip("contract: CreateJobInput fields are accepted by JobDefinitionDecoder", "acceptedFields not found")
        return
    accepted = set(re.findall(r'"([^"]+)"', match.group(1)))
    missing = sorted(set(declared.get("CreateJobInput") or {}) - accepted)
    report.check(
        "contract: CreateJobInput fields are accepted by JobDefinitionDecoder", not missing, f"not accepted: {missing}"
    )


# ----------------------------------------------------------------------------------------------------------
# Database checks


class Postgres:
    def __init__(self, database: str) -> None:
        self.database = database
        self.env = dict(os.environ)
        self.env.update(
            PGHOST=os.environ["POSTGRES_HOST"],
            PGPORT=os.environ["POSTGRES_PORT"],
            PGUSER=os.environ["POSTGRES_USER"],
        )
        if os.environ.get("POSTGRES_PASSWORD"):
            self.env["PGPASSWORD"] = os.environ["POSTGRES_PASSWORD"]

    def run(self, *arguments: str, database: str | None = None) -> str:
        command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database or self.database, *arguments]
        completed = subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise RuntimeError((completed.stderr or completed.stdout).strip()[-800:])
        return completed.stdout

    def rows(self, sql: str) -> list[list[str]]:
        output = self.run("-A", "-t", "-F", "\t", "-c", sql)
        return [line.split("\t") for line in output.splitlines() if line]


def migration_versions() -> list[Path]:
    folders = [path for path in MIGRATIONS.iterdir() if path.is_dir() and (path / "up.sql").is_file()]
    return sorted(folders, key=lambda path: int(path.name.split("_", 1)[0]))


def check_database(report: Report, metadata: dict[str, Any]) -> None:
    needed = ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_DB")
    if not all(os.environ.get(name) for name in needed) or shutil.which("psql") is None:
        report.skip("database: migrations apply and metadata matches the schema", "POSTGRES_* not set or no psql")
        return
    scratch = f"hasura_metadata_check_{os.getpid()}"
    admin = Postgres(os.environ["POSTGRES_DB"])
    try:
        admin.run("-c", f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.run("-c", f'CREATE DATABASE "{scratch}"')
    except RuntimeError as error:
        report.check("database: scratch database created", False, str(error))
        return
    try:
        database = Postgres(scratch)
        for folder in migration_versions():
            try:
                database.run("-f", str(folder / "up.sql"))
                report.check(f"database: migration {folder.name} applies", True)
            except RuntimeError as error:
                report.check(f"database: migration {folder.name} applies", False, str(error))
                return
        check_against_schema(report, metadata, database)
    finally:
        try:
            admin.run("-c", f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        except RuntimeError as error:
            print(f"note: could not drop scratch database {scratch}: {error}")


def _qualified(name: str) -> str:
    """regclass text omits `public.` for tables on the search path."""
    return name if "." in name else f"public.{name}"


def check_against_schema(report: Report, metadata: dict[str, Any], database: Postgres) -> None:
    columns: dict[str, set[str]] = {}
    for schema, table, column in database.rows(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'hdb_catalog')"
    ):
        columns.setdefault(f"{schema}.{table}", set()).add(column)
    base_tables = {
        f"{schema}.{table}"
        for schema, table in database.rows(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema', 'hdb_catalog')"
        )
    }
    # Foreign keys as (table, (columns...), referenced table).
    foreign_keys: ForeignKeys = set()
    for table, cols, referenced in database.rows(
        "SELECT c.conrelid::regclass::text, string_agg(a.attname, ',' ORDER BY k.ord), c.confrelid::regclass::text "
        "FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
        "WHERE c.contype = 'f' GROUP BY c.oid, c.conrelid, c.confrelid"
    ):
        foreign_keys.add((_qualified(table), tuple(cols.split(",")), _qualified(referenced)))

    tables = tables_of(metadata)
    for key in sorted(tables):
        report.check(f"database: tracked table {key} exists", key in base_tables, "no such table")
    # Whatever the lists above say, a tracked table that has a tenant_id column is tenant-owned: its tenant
    # permissions must be scoped, so a table added later cannot slip through unlisted.
    owned = {key.split(".", 1)[1] for key in tables if "tenant_id" in columns.get(key, set())}
    unlisted = sorted(owned - TENANT_SCOPED - ENGINE_INTERNAL)
    report.check("database: every tracked table with a tenant_id column is listed as tenant-scoped or internal",
                 not unlisted, f"unlisted {unlisted}")
    violations = tenant_scope_violations(tables, owned)
    report.check(
        "database: tenant permissions on every table with a tenant_id column are scoped to the session's tenant",
        not violations,
        "; ".join(violations),
    )
    check_relationship_coverage(report, tables, foreign_keys)
    untracked = sorted(key for key in base_tables if key.startswith("public.") and key not in tables)
    report.check("database: every table the migrations create is tracked", not untracked, f"untracked {untracked}")

    def require(table: str, names: list[str], label: str) -> None:
        missing = sorted(set(names) - columns.get(table, set()))
        report.check(f"database: {label}", not missing, f"{table} has no column(s) {missing}")

    for key, entry in sorted(tables.items()):
        if key not in base_tables:
            continue
        for kind in ("select_permissions", "insert_permissions", "update_permissions", "delete_permissions"):
            for permission in entry.get(kind) or []:
                body, role, short = permission["permission"], permission["role"], kind.split("_")[0]
                if isinstance(body.get("columns"), list):
                    require(key, body["columns"], f"{key} {short} columns for {role} exist")
                if body.get("set"):
                    require(key, list(body["set"]), f"{key} {short} presets for {role} name real columns")
                for clause in ("filter", "check"):
                    if clause in body:
                        named = bool_exp_columns(body[clause], key, tables, foreign_keys)
                        bad = [
                            f"{t}.{c}"
                            for t, c in named
                            if c.startswith("relationship:") or c not in columns.get(t, set())
                        ]
                        report.check(
                            f"database: {key} {short} {clause} for {role} names real columns", not bad, f"{bad}"
                        )
        for trigger in entry.get("event_triggers") or []:
            for operation in ("insert", "update", "delete"):
                spec = trigger["definition"].get(operation) or {}
                for field in ("columns", "payload"):
                    if isinstance(spec.get(field), list):
                        require(key, spec[field], f"{key} trigger {trigger['name']} {operation} {field} exist")
        for kind in ("object_relationships", "array_relationships"):
            for relationship in entry.get(kind) or []:
                label = f"{key}.{relationship['name']}"
                using = relationship["using"]
                if "manual_configuration" in using:
                    manual = using["manual_configuration"]
                    remote = f"{manual['remote_table']['schema']}.{manual['remote_table']['name']}"
                    require(key, list(manual["column_mapping"]), f"relationship {label} local columns exist")
                    require(
                        remote, list(manual["column_mapping"].values()), f"relationship {label} remote columns exist"
                    )
                    continue
                fk = using["foreign_key_constraint_on"]
                if isinstance(fk, dict):
                    remote = f"{fk['table']['schema']}.{fk['table']['name']}"
                    fk_columns = tuple(fk.get("columns") or [fk["column"]])
                    # The foreign key is on the remote table and points back at this one.
                    ok = (remote, fk_columns, key) in foreign_keys
                    detail = f"no foreign key {remote}({', '.join(fk_columns)}) -> {key}"
                else:
                    fk_columns = tuple(fk) if isinstance(fk, list) else (fk,)
                    ok = any(table == key and cols == fk_columns for table, cols, _ in foreign_keys)
                    detail = f"no foreign key on {key}({', '.join(fk_columns)})"
                report.check(f"database: relationship {label} rests on a foreign key", ok, detail)


def check_relationship_coverage(report: Report, tables: dict[str, dict[str, Any]], foreign_keys: ForeignKeys) -> None:
    """Every foreign key of a Fineract table has a relationship on each side: an object relationship on the table
    that holds it, and an array (or, one to one, an object) relationship on the table it references."""

    def local_keys(entry: dict[str, Any]) -> set[tuple[str, ...]]:
        found = set()
        for relationship in entry.get("object_relationships") or []:
            fk = relationship["using"].get("foreign_key_constraint_on")
            if isinstance(fk, (str, list)):
                found.add(tuple(fk) if isinstance(fk, list) else (fk,))
        return found

    def remote_keys(entry: dict[str, Any]) -> set[tuple[str, tuple[str, ...]]]:
        found = set()
        for kind in ("object_relationships", "array_relationships"):
            for relationship in entry.get(kind) or []:
                fk = relationship["using"].get("foreign_key_constraint_on")
                if isinstance(fk, dict):
                    remote = f"{fk['table']['schema']}.{fk['table']['name']}"
                    found.add((remote, tuple(fk.get("columns") or [fk["column"]])))
        return found

    fineract = {f"public.{name}" for name in FINERACT_TENANT_SCOPED | GLOBAL_TABLES}
    for table, fk_columns, referenced in sorted(foreign_keys):
        if table not in fineract or table not in tables or referenced not in tables:
            continue
        label = f"{table}({', '.join(fk_columns)}) -> {referenced}"
        report.check(
            f"database: foreign key {label} has relationships on both tables",
            fk_columns in local_keys(tables[table]) and (table, fk_columns) in remote_keys(tables[referenced]),
            f"object on {table}: {fk_columns in local_keys(tables[table])}, "
            f"reverse on {referenced}: {(table, fk_columns) in remote_keys(tables[referenced])}",
        )


# ----------------------------------------------------------------------------------------------------------


def main() -> int:
    report = Report()
    check_layout(report)
    try:
        metadata, sdl = assemble(METADATA)
        report.check("assemble: metadata directory assembles into JSON metadata version 3", metadata["version"] == 3,
                     f"version {metadata['version']}")
    except Exception as error:  # noqa: BLE001
        report.check(
            "assemble: metadata directory assembles into JSON metadata", False, f"{type(error).__name__}: {error}"
        )
        print(report.summary())
        return 1
    if os.environ.get("HASURA_METADATA_DUMP"):
        Path(os.environ["HASURA_METADATA_DUMP"]).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    for step in (check_schema, check_sources, check_relationships, check_permissions, check_job_permissions,
                 check_event_trigger, check_actions, check_cron_triggers, check_fixtures):
        try:
            step(report, metadata)
        except Exception as error:  # noqa: BLE001
            report.check(f"{step.__name__} ran", False, f"{type(error).__name__}: {error}")
    try:
        check_handler_contract(report, metadata, sdl)
    except Exception as error:  # noqa: BLE001
        report.check("check_handler_contract ran", False, f"{type(error).__name__}: {error}")
    try:
        check_database(report, metadata)
    except Exception as error:  # noqa: BLE001
        report.check("check_database ran", False, f"{type(error).__name__}: {error}")
    print(report.summary())
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
