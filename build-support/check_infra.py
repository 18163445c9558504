"""Validate infra/ and .github/workflows/ with the tools that run on an offline build machine.

- GitHub workflows: check-jsonschema's vendored workflow schema.
- ARC manifests: every YAML document parses; runner scale sets match
  infra/arc/autoscaling-runner-set.schema.json (the fields we rely on; not a cluster's CRD).
- Terraform (infra/terraform/*): every file parses (python-hcl2); every ``var.x`` used is
  declared; the OIDC trust policy admits only GitHub's audience and this repository's
  subjects. ``terraform validate`` needs the provider registry, unreachable here: the infra
  workflow runs it on GitHub.

``--self-test`` also proves the trust-policy rules reject a policy open to any repository.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB_OIDC = "https://token.actions.githubusercontent.com"


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 1 and value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if k != "__is_block__"}
    return value


def check_workflows() -> list[str]:
    tool = Path(sys.executable).with_name("check-jsonschema")
    files = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    ran = subprocess.run(
        [str(tool), "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    return [] if ran.returncode == 0 else [f"workflows: {ran.stdout.strip()} {ran.stderr.strip()}"]


def check_arc() -> list[str]:
    problems = []
    schema = json.loads((ROOT / "infra/arc/autoscaling-runner-set.schema.json").read_text())
    namespaces = set()
    sets = []
    for path in sorted((ROOT / "infra/arc").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
                problems.append(f"{path.name}: a document without apiVersion/kind")
                continue
            if doc["kind"] == "Namespace":
                namespaces.add(doc["metadata"]["name"])
            if doc["kind"] == "AutoscalingRunnerSet":
                sets.append((path.name, doc))
    if not sets:
        problems.append("infra/arc: no AutoscalingRunnerSet")
    for name, doc in sets:
        for error in jsonschema.Draft202012Validator(schema).iter_errors(doc):
            where = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{name}: {where}: {error.message}")
        if doc["metadata"]["namespace"] not in namespaces:
            problems.append(f"{name}: namespace {doc['metadata']['namespace']} is not declared")
    return problems


def trust_problems(trust: dict[str, Any]) -> list[str]:
    """What is wrong with an OIDC trust policy document (parsed, unquoted)."""
    problems = []
    for statement in trust.get("statement", []):
        if "sts:AssumeRoleWithWebIdentity" not in statement.get("actions", []):
            problems.append("trust: a statement that is not AssumeRoleWithWebIdentity")
        conditions = {c["variable"]: c for c in statement.get("condition", [])}
        aud = conditions.get("token.actions.githubusercontent.com:aud")
        if not aud or aud["test"] != "StringEquals" or aud["values"] != ["sts.amazonaws.com"]:
            problems.append("trust: the audience must be exactly sts.amazonaws.com")
        sub = conditions.get("token.actions.githubusercontent.com:sub")
        if not sub:
            problems.append("trust: no subject condition (any repository could assume the role)")
            continue
        for value in sub["values"]:
            if not value.startswith("repo:${var.github_repository}:ref:"):
                problems.append(f"trust: subject {value!r} is not limited to this repository")
    return problems


def check_terraform() -> list[str]:
    problems = []
    for module in sorted(p for p in (ROOT / "infra/terraform").iterdir() if p.is_dir()):
        parsed = {}
        for path in sorted(module.glob("*.tf")):
            with path.open() as handle:
                parsed[path.name] = _unquote(hcl2.load(handle))
        declared = {name for f in parsed.values() for v in f.get("variable", []) for name in v}
        used = set()
        for path in module.glob("*.tf"):
            used |= set(re.findall(r"\bvar\.([A-Za-z_][A-Za-z0-9_]*)", path.read_text()))
        problems += [
            f"{module.name}: var.{name} is not declared" for name in sorted(used - declared)
        ]
        resources = [r for f in parsed.values() for r in f.get("resource", [])]
        providers = [
            r["aws_iam_openid_connect_provider"]
            for r in resources
            if "aws_iam_openid_connect_provider" in r
        ]
        if not providers or any(p[n]["url"] != GITHUB_OIDC for p in providers for n in p):
            problems.append(f"{module.name}: no OIDC provider for {GITHUB_OIDC}")
        documents = [
            d["aws_iam_policy_document"]
            for f in parsed.values()
            for d in f.get("data", [])
            if "aws_iam_policy_document" in d
        ]
        trust = next((d["trust"] for d in documents if "trust" in d), None)
        if trust is None:
            problems.append(f"{module.name}: no trust policy document")
        else:
            problems += [f"{module.name}: {p}" for p in trust_problems(trust)]
    return problems


def self_test() -> None:
    open_to_all = {
        "statement": [
            {
                "actions": ["sts:AssumeRoleWithWebIdentity"],
                "condition": [
                    {
                        "test": "StringEquals",
                        "variable": "token.actions.githubusercontent.com:aud",
                        "values": ["sts.amazonaws.com"],
                    },
                    {
                        "test": "StringLike",
                        "variable": "token.actions.githubusercontent.com:sub",
                        "values": ["repo:*"],
                    },
                ],
            }
        ]
    }
    assert trust_problems(open_to_all) == [
        "trust: subject 'repo:*' is not limited to this repository"
    ]
    del open_to_all["statement"][0]["condition"][1]
    assert trust_problems(open_to_all) == [
        "trust: no subject condition (any repository could assume the role)"
    ]


def main() -> int:
    if "--self-test" in sys.argv:
        self_test()
    problems = check_workflows() + check_arc() + check_terraform()
    for problem in problems:
        print(f"check_infra: {problem}")
    print(
        f"check_infra: workflows, ARC manifests and Terraform checked, {len(problems)} problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
