"""Resolution profiles: which columns are compared how, and when two records are one.

A resolution profile is YAML validated by :class:`ResolveConfig`. The built-in
``organisations`` profile drives the refine pipeline; any other profile lets
``hotpass resolve`` deduplicate or link arbitrary CSV/Parquet tables (people, aircraft...).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hotpass.errors import ProfileError
from hotpass.yaml_models import looks_like_file, parse_yaml_model, read_yaml_model

ComparisonKind = Literal[
    "name", "text", "date", "identifier", "email", "phone", "website", "postcode", "address"
]
LinkType = Literal["dedupe_only", "link_only", "link_and_dedupe"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ComparisonSpec(_Model):
    """Compare ``column`` with the levels of ``kind`` (see docs/reference/resolve.md)."""

    column: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    kind: ComparisonKind


class ResolveConfig(_Model):
    """Everything resolution needs to know about one kind of record."""

    name: str
    description: str = ""
    link_type: LinkType = "dedupe_only"
    unique_id: str = Field(default="record_id", pattern=r"^[a-z_][a-z0-9_]*$")
    source_column: str | None = Field(
        default=None,
        pattern=r"^[a-z_][a-z0-9_]*$",
        description="column naming each record's table (link types only)",
    )
    comparisons: list[ComparisonSpec] = Field(min_length=1)
    blocking: list[list[str]] = Field(
        min_length=1, description="each rule: records agreeing on all these columns are compared"
    )
    deterministic: list[list[str]] = Field(
        default_factory=list,
        description="each rule: records agreeing on all these columns are one, without scoring",
    )
    strong_identifiers: list[str] = Field(
        default_factory=list,
        description="columns a cluster's members may not disagree on (the chaining guard)",
    )
    threshold: float = Field(gt=0, lt=1, description="match probability that links two records")
    review_floor: float = Field(
        gt=0, lt=1, description="pairs from here up to the threshold go to the review queue"
    )
    training_rules: list[list[str]] = Field(
        min_length=1,
        description="blocking rules that estimate the match rate and drive EM (one pass each)",
    )
    training_recall: float = Field(
        gt=0,
        le=1,
        description="share of true pairs the training rules find, measured on the benchmark",
    )
    correct_u_for_duplicates: bool = Field(
        default=False,
        description="remove true duplicates from random-sampling u (names that are near-unique"
        " per entity, as organisation names are; not for people, who share names)",
    )
    false_agreement_share: float = Field(
        default=0.001,
        gt=0,
        lt=1,
        description="with the u correction: the largest share of random pairs agreeing at a"
        " level that may be different entities (floors u)",
    )
    seed: int = 42
    max_pairs_for_u: int = Field(default=1_000_000, ge=1000)
    max_records_for_training: int = Field(
        default=250_000,
        ge=1000,
        description="larger tables train on a fixed hash sample of about this many records"
        " (every record is still scored); EM's cost grows with the square of a block's size",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ResolveConfig:
        problems: list[str] = []
        if self.review_floor > self.threshold:
            problems.append("review_floor must not exceed threshold")
        known = {c.column for c in self.comparisons}
        derived = {f"{c.column}_domain" for c in self.comparisons if c.kind == "email"}
        for group, rules in (
            ("blocking", self.blocking),
            ("deterministic", self.deterministic),
            ("training_rules", self.training_rules),
            ("strong_identifiers", [self.strong_identifiers]),
        ):
            for rule in rules:
                for column in rule:
                    if column not in known | derived:
                        problems.append(f"{group}: {column!r} is not a compared column")
        if self.link_type != "dedupe_only" and not self.source_column:
            problems.append(f"link_type {self.link_type} needs source_column")
        if self.link_type == "link_only" and self.deterministic:
            problems.append("deterministic rules would link within one source: not with link_only")
        if len(known) != len(self.comparisons):
            problems.append("a column is compared twice")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def kind_of(self, column: str) -> ComparisonKind:
        for spec in self.comparisons:
            if spec.column == column:
                return spec.kind
        raise KeyError(column)


@cache
def builtin_configs() -> dict[str, ResolveConfig]:
    folder = resources.files("hotpass.resolve") / "builtin"
    configs = [
        parse_yaml_model(
            entry.read_text(encoding="utf-8"),
            f"builtin resolution profile {entry.name}",
            ResolveConfig,
        )
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    ]
    return {config.name: config for config in configs}


def load_config(name_or_path: str) -> ResolveConfig:
    """A built-in resolution profile by name, or a YAML file by path.

    Raises:
        ProfileError: unknown name, unreadable file or invalid content (every problem listed).
    """
    if looks_like_file(name_or_path):
        return read_yaml_model(Path(name_or_path), ResolveConfig)
    configs = builtin_configs()
    if name_or_path in configs:
        return configs[name_or_path]
    known = ", ".join(sorted(configs))
    raise ProfileError([f"unknown resolution profile {name_or_path!r}; built-in profiles: {known}"])
