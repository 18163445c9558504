"""Stage ``survive``: golden organisations and contacts from resolved clusters.

* One golden organisation per cluster, with a stable ``org_id`` (:mod:`hotpass.survive.ids`).
* Sites (docs/adr/0004): a cluster whose records name two or more different locations
  (``Example Academy (Durban)``, ``... (Cape Town)``) is one organisation with several sites.
  Each location becomes a site record (``record_kind = 'site'``) with its own ``org_id`` and
  ``parent_org_id`` pointing at the organisation; its records' contacts and addresses attach
  to the site, and the organisation record still merges every record of the cluster. A single
  location is only a qualifier: it is kept in ``locations`` and no site is made.
* Every field is chosen by :func:`hotpass.survive.fields.survive_fields`; ``provenance`` lists,
  per field, the value, the record ids that supplied it, the rule and the losing candidates.
* Contacts stay whole records. Within one organisation (or site), contacts with the same email,
  or the same name and phone, are one person; one primary contact is chosen by role seniority
  and channel validity, never one marked do-not-contact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hotpass.duckdb_connection import drop_tables
from hotpass.resolve import connected_components
from hotpass.survive.fields import survive_fields
from hotpass.survive.ids import assign_org_ids
from hotpass.survive.provenance import with_provenance

__all__ = ["Golden", "survive"]

RECENCY = "coalesce(o.last_interaction_date, o.load_date, o.collected_at)"
COMPLETENESS = (
    " + ".join(
        f"(o.{column} IS NOT NULL)::INT"
        for column in (
            "website_domain",
            "province",
            "category",
            "org_type",
            "amo_number",
            "planes",
            "description",
            "last_interaction_date",
        )
    )
    + " + len(o.emails) + len(o.phones)"
)

DATE_FACTS = ("last_interaction_date", "last_order_date")
# (field, value expression over staged organisation o, validity expression, multi-valued)
ORGANISATION_FIELDS: tuple[tuple[str, str, str, bool], ...] = (
    # A name without a branch qualifier names the organisation, not one of its sites.
    ("display_name", "o.display_name", "o.location_qualifier IS NULL", False),
    ("match_key", "o.match_key", "true", False),
    ("website_url", "o.website_url", "o.website_kind = 'own'", False),
    ("website_domain", "o.website_domain", "true", False),
    ("province", "o.province", "true", False),
    ("category", "o.category", "true", False),
    ("org_type", "o.org_type", "true", False),
    ("registration_status", "o.registration_status", "true", False),
    ("crm_status", "o.crm_status", "true", False),
    ("priority", "o.priority", "true", False),
    ("distance_bucket", "o.distance_bucket", "true", False),
    ("amo_number", "o.amo_number", "true", False),
    ("planes", "o.planes", "true", True),
    ("descriptions", "o.description", "true", True),
    ("notes", "o.notes", "true", True),
    ("locations", "o.location_qualifier", "true", True),
)
_FIELD_SQL = [sql for _, value, valid, _ in ORGANISATION_FIELDS for sql in (value, valid)]
SINGLE = [f for f in ORGANISATION_FIELDS if not f[3]]
MULTI = [f for f in ORGANISATION_FIELDS if f[3]]

SENIORITY = """CASE
    WHEN regexp_matches(lower(role), 'accountable|ceo|owner|managing director|\\bmd\\b') THEN 1
    WHEN regexp_matches(lower(role), 'chief pilot|cfi|head of|director|\\bgm\\b|general manager')
        THEN 2
    WHEN regexp_matches(lower(role), 'manager|operations|\\bops\\b') THEN 3
    WHEN role IS NOT NULL THEN 4 ELSE 5 END"""


@dataclass
class Golden:
    """Arrow tables of the golden layer and the record -> org_id map; ``members``
    (org_id, record_id, content_key) when survive was given content keys."""

    organisations: Any
    contacts: Any
    addresses: Any
    record_org_ids: Any
    members: Any = None
    reused: int = 0  # organisations whose rows came from ``earlier``


# One provenance entry: a field's winner or merged values, where they came from and why.
_ENTRY = """{'field': field, 'value': value, 'values': "values", 'record_ids': record_ids,
             'rule': rule, 'losers': losers}"""

# Provenance entries fetched as one Arrow batch: joining 33 batches of nested structs into the
# one array a list column needs took over a second at a million records.
_ONE_BATCH = 1 << 30

# 64 bits of the row key (an md5 in hex): 8 bytes a candidate row instead of a 32-character
# string, at about twenty candidate rows a record.
_TIE_KEY = "('0x' || left(row_key, 16))::UBIGINT"


def _groups(con: Any) -> None:
    """hotpass_groups(group_id, org_id, parent_org_id, record_kind, location) and
    hotpass_members(group_id, record_id, tie_key) and hotpass_home(record_id, group_id).

    ``tie_key`` is the first 64 bits of the record's content digest (``row_key``): the last
    survivorship tie-break, so a re-sorted file picks the same winners."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hotpass_sites AS
        WITH located AS (
            SELECT i.org_id, o.record_id, i.row_key, o.location_qualifier AS location,
                   lower(o.location_qualifier) AS place
            FROM hotpass_survive_orgs o JOIN hotpass_record_org i USING (record_id)
            WHERE o.location_qualifier IS NOT NULL
        ), multi AS (
            SELECT org_id FROM located GROUP BY org_id HAVING count(DISTINCT place) > 1
        )
        SELECT l.org_id || '-' || substr(sha256(l.place), 1, 6) AS group_id,
               l.org_id AS parent_org_id, l.record_id, l.row_key, l.place,
               min(l.location) OVER (PARTITION BY l.org_id, l.place) AS location
        FROM located l JOIN multi USING (org_id)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hotpass_groups AS
        SELECT DISTINCT org_id AS group_id, NULL::VARCHAR AS parent_org_id,
               'organisation' AS record_kind, NULL::VARCHAR AS location
        FROM hotpass_record_org
        UNION ALL
        SELECT DISTINCT group_id, parent_org_id, 'site', location FROM hotpass_sites"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_members AS
        SELECT org_id AS group_id, record_id, {_TIE_KEY} AS tie_key FROM hotpass_record_org
        UNION ALL SELECT group_id, record_id, {_TIE_KEY} FROM hotpass_sites"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hotpass_home AS
        SELECT i.record_id, coalesce(s.group_id, i.org_id) AS group_id
        FROM hotpass_record_org i LEFT JOIN hotpass_sites s USING (record_id)"""
    )


def _organisation_candidates(con: Any) -> None:
    # Each record's columns with its group, recency and completeness, joined and worked out
    # once for the twenty parts below (each part joining on its own took 40% longer).
    columns = sorted(
        set(re.findall(r"\bo\.(\w+)", " ".join([RECENCY, COMPLETENESS, *_FIELD_SQL])))
        | {"record_id", "source_priority", "emails", "phones", *DATE_FACTS}
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_candidate_base AS
        SELECT m.group_id, m.tie_key, {", ".join(f"o.{c}" for c in columns)},
               {RECENCY} AS recency, {COMPLETENESS} AS completeness
        FROM hotpass_members m JOIN hotpass_survive_orgs o USING (record_id)"""
    )
    # NULL values never win or lose (survive_fields drops them): leaving them out here keeps
    # the candidate table, about twenty rows per record, from spilling at a million records.
    parts = []
    for name, value, valid, multi in ORGANISATION_FIELDS:
        parts.append(
            f"""SELECT o.group_id, '{name}' AS field, {str(multi).lower()} AS multi, o.record_id,
                CAST({value} AS VARCHAR) AS value, ({valid}) AS valid, o.source_priority,
                o.recency, o.completeness, 1 AS position, o.tie_key
            FROM hotpass_candidate_base o
            WHERE {value} IS NOT NULL"""
        )
    for name, column in (("emails", "emails"), ("phones", "phones")):
        parts.append(
            f"""SELECT o.group_id, '{name}', true, o.record_id, unnest(o.{column}), true,
                o.source_priority, o.recency, o.completeness, generate_subscripts(o.{column}, 1),
                o.tie_key
            FROM hotpass_candidate_base o"""
        )
    # The latest interaction and the latest order are facts about time: only recency decides.
    for column in DATE_FACTS:
        parts.append(
            f"""SELECT o.group_id, '{column}', false, o.record_id,
                CAST(o.{column} AS VARCHAR), true, 0, o.{column}, 0, 1, o.tie_key
            FROM hotpass_candidate_base o
            WHERE o.{column} IS NOT NULL"""
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE hotpass_org_candidates AS " + " UNION ALL ".join(parts)
    )
    drop_tables(con, "hotpass_candidate_base")


def _golden_organisations(con: Any) -> Any:
    # One row per (group, field), so any_value picks the only one: max() compared the lists.
    singles = ",\n".join(
        f"any_value(f.value) FILTER (WHERE f.field = '{name}') AS {name}" for name, *_ in SINGLE
    )
    multis = ",\n".join(
        f"coalesce(any_value(f.\"values\") FILTER (WHERE f.field = '{name}'), []) AS {name}"
        for name in ("emails", "phones", *(m[0] for m in MULTI))
    )
    dates = ",\n".join(
        f"any_value(f.value) FILTER (WHERE f.field = '{column}') AS {column}"
        for column in DATE_FACTS
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hotpass_org_dnc AS
        SELECT m.group_id, bool_or(o.do_not_contact) AS do_not_contact,
               list_sort(list(o.record_id) FILTER (WHERE o.do_not_contact)) AS dnc_records,
               list_sort(list(o.record_id)) AS source_records
        FROM hotpass_members m JOIN hotpass_survive_orgs o USING (record_id)
        GROUP BY m.group_id"""
    )
    # A site takes its organisation's do-not-contact: the entry lists both groups' records.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hotpass_org_dnc_entries AS
        SELECT g.group_id AS org_id,
               list_distinct(list_concat(coalesce(d.dnc_records, []),
                                         coalesce(pd.dnc_records, []))) AS record_ids
        FROM hotpass_groups g JOIN hotpass_org_dnc d USING (group_id)
        LEFT JOIN hotpass_org_dnc pd ON pd.group_id = g.parent_org_id
        WHERE d.do_not_contact OR coalesce(pd.do_not_contact, false)"""
    )
    table = con.sql(
        f"""WITH fields AS (
            SELECT g.group_id, {singles}, {multis},
                {dates}
            FROM hotpass_groups g LEFT JOIN hotpass_org_fields f USING (group_id)
            GROUP BY g.group_id
        )
        SELECT g.group_id AS org_id, g.parent_org_id, g.record_kind,
            CASE WHEN g.record_kind = 'site' THEN p.display_name || ' (' || g.location || ')'
                 ELSE f.display_name END AS display_name,
            f.match_key, f.website_url, f.website_domain, f.emails, f.phones, f.province,
            f.category, f.org_type, f.registration_status, f.crm_status, f.priority,
            f.amo_number, f.planes, f.descriptions, f.notes, f.locations,
            CAST(f.last_interaction_date AS DATE) AS last_interaction_date,
            CAST(f.last_order_date AS DATE) AS last_order_date, f.distance_bucket,
            d.do_not_contact OR coalesce(pd.do_not_contact, false) AS do_not_contact,
            d.source_records
        FROM hotpass_groups g JOIN fields f USING (group_id) JOIN hotpass_org_dnc d USING (group_id)
        LEFT JOIN fields p ON p.group_id = g.parent_org_id
        LEFT JOIN hotpass_org_dnc pd ON pd.group_id = g.parent_org_id
        ORDER BY org_id"""
    ).to_arrow_table()
    # Each field's entry in field order, then the do-not-contact entry last.
    entries = con.sql(
        f"""SELECT org_id, entry FROM (
            SELECT group_id AS org_id, 0 AS after, field, {_ENTRY} AS entry
            FROM hotpass_org_fields
            UNION ALL
            SELECT org_id, 1, 'do_not_contact',
                {{'field': 'do_not_contact', 'value': 'true', 'values': ['true'],
                  'record_ids': record_ids,
                  'rule': 'any record of the organisation says do not contact',
                  'losers': []::STRUCT(record_id VARCHAR, value VARCHAR)[]}}
            FROM hotpass_org_dnc_entries)
        ORDER BY org_id, after, field"""
    ).to_arrow_table(batch_size=_ONE_BATCH)
    drop_tables(con, "hotpass_org_dnc", "hotpass_org_dnc_entries")
    return with_provenance(table, "org_id", entries)


def _golden_contacts(con: Any) -> Any:
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_contact_in AS
        SELECT c.*, h.group_id AS org_id, o.source_priority, {RECENCY} AS recency,
               (c.name IS NOT NULL)::INT + (c.role IS NOT NULL)::INT + (c.email IS NOT NULL)::INT
                 + (c.phone IS NOT NULL)::INT AS completeness,
               -- the contact's own content, not its position: the last tie-break
               md5_number_upper(concat_ws(chr(31), coalesce(c.name, chr(0)),
                   coalesce(c.role, chr(0)), coalesce(c.email, chr(0)),
                   coalesce(c.phone, chr(0)), coalesce(c.note, chr(0)))) AS tie_key
        FROM hotpass_survive_contacts c
        JOIN hotpass_home h ON h.record_id = c.org_record_id
        JOIN hotpass_survive_orgs o ON o.record_id = c.org_record_id"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hotpass_contact_edges AS
        WITH keys AS (
            SELECT contact_id, org_id || '|e|' || lower(email) AS k FROM hotpass_contact_in
            WHERE email IS NOT NULL
            UNION ALL
            SELECT contact_id, org_id || '|np|' || lower(name) || '|' || phone
            FROM hotpass_contact_in WHERE name IS NOT NULL AND phone IS NOT NULL
        )
        SELECT DISTINCT contact_id AS unique_id_l,
               min(contact_id) OVER (PARTITION BY k) AS unique_id_r FROM keys"""
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE hotpass_contact_nodes AS "
        "SELECT contact_id AS unique_id FROM hotpass_contact_in"
    )
    connected_components(
        con, "hotpass_contact_nodes", "hotpass_contact_edges", "hotpass_contact_clusters"
    )
    parts = []
    for name, valid in (
        ("name", "NOT placeholder"),
        ("role", "true"),
        ("email", "true"),
        ("phone", "phone_kind IS DISTINCT FROM 'invalid'"),
        ("note", "true"),
    ):
        parts.append(
            f"""SELECT k.cluster_id AS group_id, '{name}' AS field, false AS multi,
                c.contact_id AS record_id, c.{name} AS value, ({valid}) AS valid,
                c.source_priority, c.recency, c.completeness, 1 AS position, c.tie_key
            FROM hotpass_contact_in c
            JOIN hotpass_contact_clusters k ON k.unique_id = c.contact_id
            WHERE c.{name} IS NOT NULL"""
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE hotpass_contact_candidates AS " + " UNION ALL ".join(parts)
    )
    survive_fields(con, "hotpass_contact_candidates", "hotpass_contact_fields")
    drop_tables(
        con,
        "hotpass_contact_candidates",
        "hotpass_ranked",
        "hotpass_contact_edges",
        "hotpass_contact_nodes",
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_golden_contacts AS
        WITH people AS (
            SELECT k.cluster_id, min(c.org_id) AS org_id,
                   bool_or(c.do_not_contact) AS do_not_contact,
                   bool_and(c.placeholder) AS placeholder,
                   list_sort(list(c.contact_id)) AS source_contacts,
                   list_sort(list(DISTINCT c.record_id)) AS source_records
            FROM hotpass_contact_in c
            JOIN hotpass_contact_clusters k ON k.unique_id = c.contact_id
            GROUP BY k.cluster_id
        ), fields AS (
            SELECT group_id AS cluster_id,
                any_value(value) FILTER (WHERE field = 'name') AS name,
                any_value(value) FILTER (WHERE field = 'role') AS role,
                any_value(value) FILTER (WHERE field = 'email') AS email,
                any_value(value) FILTER (WHERE field = 'phone') AS phone,
                any_value(value) FILTER (WHERE field = 'note') AS note
            FROM hotpass_contact_fields GROUP BY group_id
        ), joined AS (
            SELECT 'contact_' || substr(sha256(p.org_id || '|' || p.cluster_id), 1, 12)
                       AS contact_id,
                   p.org_id, f.name, f.role, f.email, f.phone, f.note, p.do_not_contact,
                   p.placeholder, p.source_contacts, p.source_records, p.cluster_id,
                   {SENIORITY.replace("role", "f.role")} AS seniority,
                   (f.email IS NOT NULL)::INT + (f.phone IS NOT NULL)::INT AS channels
            FROM people p LEFT JOIN fields f USING (cluster_id)
        ), eligible AS (
            SELECT j.*, NOT j.do_not_contact AND NOT j.placeholder AND j.channels > 0
                        AND NOT coalesce(o.dnc, false) AS can_be_primary
            FROM joined j
            JOIN hotpass_groups g ON g.group_id = j.org_id
            -- A do-not-contact anywhere in the organisation covers its sites too.
            LEFT JOIN (
                SELECT i.org_id, bool_or(s.do_not_contact) AS dnc
                FROM hotpass_record_org i JOIN hotpass_survive_orgs s USING (record_id)
                GROUP BY i.org_id) o ON o.org_id = coalesce(g.parent_org_id, j.org_id)
        )
        SELECT contact_id, org_id, name, role, email, phone, note, do_not_contact, placeholder,
               -- Ties go by the contact's content before its id (which carries row numbers),
               -- so a re-sorted file keeps the same primary contact.
               can_be_primary AND row_number() OVER (
                   PARTITION BY org_id ORDER BY can_be_primary DESC, seniority, channels DESC,
                   md5(concat_ws(chr(31), coalesce(name, chr(0)), coalesce(role, chr(0)),
                                 coalesce(email, chr(0)), coalesce(phone, chr(0)))),
                   contact_id) = 1 AS is_primary,
               source_contacts, source_records, cluster_id
        FROM eligible"""
    )
    # Both in the published order, so the rows are never taken again (_finish).
    table = con.sql(
        "SELECT * FROM hotpass_golden_contacts ORDER BY org_id, contact_id"
    ).to_arrow_table()
    entries = con.sql(
        f"""SELECT f.group_id AS cluster_id, {_ENTRY} AS entry
        FROM hotpass_contact_fields f
        JOIN hotpass_golden_contacts g ON g.cluster_id = f.group_id
        ORDER BY g.org_id, g.contact_id, f.field"""
    ).to_arrow_table(batch_size=_ONE_BATCH)
    drop_tables(con, "hotpass_golden_contacts")
    return with_provenance(table, "cluster_id", entries).drop_columns(["cluster_id"])


def _unchanged(con: Any, earlier: Golden) -> Any:
    """Org ids whose members and their content keys are what they were in ``earlier``; the
    records of every other organisation stay in ``hotpass_record_org``."""
    con.register("hotpass_earlier_members", earlier.members)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hotpass_changed AS
        SELECT org_id FROM (SELECT * FROM hotpass_members_now
                            EXCEPT SELECT * FROM hotpass_earlier_members)
        UNION
        SELECT org_id FROM (SELECT * FROM hotpass_earlier_members
                            EXCEPT SELECT * FROM hotpass_members_now)"""
    )
    kept = con.sql(
        """SELECT DISTINCT org_id FROM hotpass_members_now
           WHERE org_id NOT IN (SELECT org_id FROM hotpass_changed)"""
    ).to_arrow_table()
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hotpass_record_org AS
        SELECT * FROM hotpass_record_org WHERE org_id IN (SELECT org_id FROM hotpass_changed)"""
    )
    con.unregister("hotpass_earlier_members")
    return kept.column("org_id")


def _with_earlier(built: Any, earlier: Any, groups: Any, keys: list[str]) -> Any:
    """``built`` plus the rows of ``earlier`` whose ``org_id`` is one of ``groups``, in key
    order, copied once. The rows are picked and ordered by index; the earlier rows come in
    long runs (they were saved in key order), so the result is cut as slices of those runs
    and joined in one copy. A take of every row copied more slowly (1.7-3.1 s against
    0.8-1.2 s for a million-row run's organisations), and a filter and then a sort copied the
    nested provenance twice (5.8 s)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    both = pa.concat_tables([built, earlier.cast(built.schema)])
    reused = pc.is_in(earlier.column("org_id"), value_set=groups).to_numpy(zero_copy_only=False)
    rows = pa.array(np.flatnonzero(np.concatenate([np.ones(built.num_rows, bool), reused])))
    order = pc.sort_indices(
        both.select(keys).take(rows), sort_keys=[(key, "ascending") for key in keys]
    )
    picked = rows.take(order).to_numpy()
    if not len(picked):
        return both.slice(0, 0).combine_chunks()
    breaks = np.flatnonzero(np.diff(picked) != 1) + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [len(picked)]])
    runs = [both.slice(int(picked[a]), int(b - a)) for a, b in zip(starts, ends, strict=True)]
    return pa.concat_tables(runs).combine_chunks()


def _finish(table: Any, keys: list[str]) -> Any:
    # One chunk in a fixed order whichever way the rows were made: Parquet bytes follow both.
    # Rows the engine already sorted are not copied again (a take of the nested provenance).
    from hotpass.key_order import in_key_order

    return in_key_order(table, keys).combine_chunks()


def survive(
    con: Any,
    *,
    organisations: str,
    contacts: str,
    addresses: str,
    clusters: str,
    previous_ids: Any | None = None,
    content_keys: Any | None = None,
    earlier: Golden | None = None,
) -> Golden:
    """Build the golden layer from staged DuckDB tables and ``clusters`` (unique_id,
    cluster_id). ``previous_ids`` (an earlier ``record_org_ids``: record_id, org_id, row_key,
    match_key) keeps ids stable across runs (:mod:`hotpass.survive.ids`).

    ``content_keys`` (Arrow: source_file, content_key) says what each input file's rows depend
    on; the result then carries ``members``. With ``earlier`` (an earlier run's result with
    members), an organisation whose members and their keys are unchanged keeps its earlier
    rows (with its sites, contacts and addresses) and only the others are built
    (:mod:`hotpass.golden_cache`)."""
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW hotpass_survive_orgs AS SELECT * FROM {organisations}"
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW hotpass_survive_contacts AS SELECT * FROM {contacts}")
    assign_org_ids(
        con, clusters, previous_ids, organisations="hotpass_survive_orgs", out="hotpass_record_org"
    )
    record_org_ids = con.sql(
        "SELECT record_id, org_id, row_key, match_key FROM hotpass_record_org ORDER BY record_id"
    ).to_arrow_table()
    members = kept = None
    if content_keys is not None:
        con.register("hotpass_content_keys", content_keys)
        con.execute(
            """CREATE OR REPLACE TEMP TABLE hotpass_members_now AS
            SELECT r.org_id, r.record_id, k.content_key FROM hotpass_record_org r
            JOIN hotpass_survive_orgs o USING (record_id)
            JOIN hotpass_content_keys k USING (source_file)"""
        )
        con.unregister("hotpass_content_keys")
        members = con.sql("SELECT * FROM hotpass_members_now").to_arrow_table()
        if earlier is not None and earlier.members is not None:
            kept = _unchanged(con, earlier)
    _groups(con)
    _organisation_candidates(con)
    survive_fields(con, "hotpass_org_candidates", "hotpass_org_fields")
    drop_tables(con, "hotpass_org_candidates", "hotpass_ranked")
    golden_orgs = _golden_organisations(con)
    drop_tables(con, "hotpass_org_fields")
    golden_contacts = _golden_contacts(con)
    drop_tables(con, "hotpass_contact_in", "hotpass_contact_fields", "hotpass_contact_clusters")
    golden_addresses = con.sql(
        f"""SELECT h.group_id AS org_id, a.* FROM {addresses} a
            JOIN hotpass_home h ON h.record_id = a.org_record_id"""
    ).to_arrow_table()
    drop_tables(
        con,
        "hotpass_groups",
        "hotpass_home",
        "hotpass_members",
        "hotpass_sites",
        "hotpass_record_org",
        "hotpass_members_now",
        "hotpass_changed",
    )
    # Sorted only now: DuckDB's working tables are gone, so the sorted copies do not meet them.
    if kept is not None and earlier is not None:
        import pyarrow.compute as pc

        # An organisation's own row and its sites' rows; contacts and addresses hang on either.
        roots = pc.coalesce(
            earlier.organisations.column("parent_org_id"), earlier.organisations.column("org_id")
        )
        groups = earlier.organisations.column("org_id").filter(pc.is_in(roots, value_set=kept))
        golden_orgs = _with_earlier(golden_orgs, earlier.organisations, groups, ["org_id"])
        golden_contacts = _with_earlier(
            golden_contacts, earlier.contacts, groups, ["org_id", "contact_id"]
        )
        golden_addresses = _with_earlier(
            golden_addresses, earlier.addresses, groups, ["address_id"]
        )
    else:
        golden_orgs = _finish(golden_orgs, ["org_id"])
        golden_contacts = _finish(golden_contacts, ["org_id", "contact_id"])
        golden_addresses = _finish(golden_addresses, ["address_id"])
    return Golden(
        golden_orgs,
        golden_contacts,
        golden_addresses,
        record_org_ids,
        members,
        reused=0 if kept is None else len(kept),
    )
