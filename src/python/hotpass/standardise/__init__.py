"""Stage ``standardise``: raw rows -> staged organisations, contacts, addresses and quarantine.

Values are normalised beside their raw form; child rows find their organisation (by key when
the profile says the key is real, else by the organisation name's match key, within the same
file); rows that break a rule go to quarantine with the rule and reason. Every raw row ends in
exactly one place: ``ingested == accepted + quarantined``.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from hotpass.engine import drop, materialise
from hotpass.standardise import memo, udfs
from hotpass.standardise.names import MAX_NAME_LENGTH

__all__ = ["StagedTables", "standardise"]

_META = [
    "record_id",
    "source_file",
    "sheet",
    "excel_row",
    "profile",
    "source_priority",
    "privacy_basis",
    "collected_at",
]


@dataclass(frozen=True)
class StagedTables:
    """Lazy Ibis tables; ``accepted`` lists the raw record ids that reached a staged table.

    ``cached`` are intermediates materialised in the backend; :meth:`release` drops them (and
    empties the normalisers' memo) and must be called before the connection closes.
    """

    organisations: ir.Table
    contacts: ir.Table
    addresses: ir.Table
    quarantine: ir.Table
    accepted: ir.Table
    cached: tuple[ir.Table, ...] = ()

    def release(self) -> None:
        for table in self.cached:
            drop(table)
        memo.clear()


def _key(col: ir.StringValue) -> ir.StringValue:
    normalised = col.strip().re_replace(r"\.0+$", "").lower()
    return ibis.ifelse(normalised == "", ibis.null("string"), normalised)


def _bucket(col: ir.StringValue) -> ir.StringValue:
    """A label such as ``100km - 220km`` compared without case or spaces."""
    normalised = col.lower().re_replace(r"\s+", "")
    return ibis.ifelse(normalised == "", ibis.null("string"), normalised)


def _issues(label: str, parsed: ir.ArrayValue) -> ir.ArrayValue:
    return parsed.filter(lambda v: v["reason"].notnull()).map(
        lambda v: ibis.literal(f"{label}: ") + v["reason"]
    )


def _organisations(raw: ir.Table) -> ir.Table:
    rows = raw.filter(raw.role == "organisation")
    parsed = rows.mutate(
        _phone_cell=udfs.phone_cell(rows.phone),
        _mobile_cell=udfs.phone_cell(rows.mobile),
        _emails=udfs.email_cell(rows.email),
        _web=udfs.website(rows.website),
        _province=udfs.province(rows.province),
    )
    web_issue = ibis.ifelse(
        parsed._web["reason"].notnull(),
        ibis.literal("website: ") + parsed._web["reason"],
        ibis.ifelse(
            parsed._web["kind"].isin(["social", "directory"]),
            ibis.literal("website: ") + parsed._web["kind"] + " page, not the organisation's own",
            ibis.null("string"),
        ),
    )
    province_issue = ibis.ifelse(
        rows.province.notnull() & parsed._province.isnull(),
        ibis.literal("province: not one of the nine provinces"),
        ibis.null("string"),
    )
    parsed = parsed.mutate(_phones=parsed._phone_cell.concat(parsed._mobile_cell))
    return parsed.select(
        *_META,
        name_raw=parsed.organisation_name,
        display_name=udfs.display_name(parsed.organisation_name),
        match_key=udfs.match_key(parsed.organisation_name),
        location_qualifier=udfs.location_qualifier(parsed.organisation_name),
        source_key=_key(parsed.source_key),
        website_raw=parsed.website,
        website_url=parsed._web["url"],
        website_domain=ibis.ifelse(
            parsed._web["kind"] == "own", parsed._web["domain"], ibis.null("string")
        ),
        website_kind=parsed._web["kind"],
        email_values=parsed._emails,
        phone_values=parsed._phones,
        emails=parsed._emails.filter(lambda e: e["email"].notnull()).map(lambda e: e["email"]),
        phones=parsed._phones.filter(lambda p: p["e164"].notnull()).map(lambda p: p["e164"]),
        province_raw=parsed.province,
        province=parsed._province,
        category=parsed.category,
        org_type=parsed.org_type,
        registration_status=parsed.registration_status,
        crm_status=parsed.crm_status,
        priority=parsed.priority,
        do_not_contact=udfs.do_not_contact(parsed.crm_status),
        amo_number=parsed.amo_number,
        planes=parsed.planes,
        description=parsed.description,
        notes=parsed.notes,
        load_date=udfs.calendar_date(parsed.load_date, parsed.date_order),
        last_interaction_date=udfs.calendar_date(parsed.interaction_date, parsed.date_order),
        last_order_date=udfs.calendar_date(parsed.order_date, parsed.date_order),
        distance_bucket=_bucket(parsed.distance),
        issues=_issues("phone", parsed._phones)
        .concat(_issues("email", parsed._emails))
        .concat(ibis.array([web_issue, province_issue]).filter(lambda i: i.notnull())),
        # Kept for the child stages below; dropped before the table is published. The packed
        # contacts take their phones from the phone cell's parsed values, not a second parse.
        _address=parsed.address,
        _contacts_cell=parsed.contacts_cell,
        _phone_cell=parsed._phone_cell,
    )


def _attach(children: ir.Table, orgs: ir.Table) -> ir.Table:
    """Give each child row the record_id of its organisation in the same file."""
    named = orgs.filter(orgs.match_key.notnull())
    # The first row in the file wins; on a tie (two organisation sheets with the same row
    # number) the smaller record id, so every backend picks the same one.
    first = named.excel_row.cast("string").lpad(10, "0") + "|" + named.record_id
    by_key = (
        named.filter(named.source_key.notnull())
        .group_by([named.source_file, named.source_key])
        .aggregate(_key_org=named.record_id.argmin(first))
    )
    by_name = named.group_by([named.source_file, named.match_key]).aggregate(
        _name_org=named.record_id.argmin(first)
    )
    keyed = children.left_join(
        by_key,
        [
            children.source_file == by_key.source_file,
            children._child_key == by_key.source_key,
            children.attach_by_key,
        ],
    ).drop("source_file_right", "source_key")
    both = keyed.left_join(
        by_name,
        [
            keyed.source_file == by_name.source_file,
            keyed._child_match_key == by_name.match_key,
            keyed.attach_by_name,
        ],
    ).drop("source_file_right", "match_key")
    return both.mutate(
        org_record_id=both._key_org.fill_null(both._name_org),
        attach_method=ibis.ifelse(
            both._key_org.notnull(),
            "key",
            ibis.ifelse(both._name_org.notnull(), "name", ibis.null("string")),
        ),
    ).drop("_key_org", "_name_org")


def _child_rows(raw: ir.Table, role: str) -> ir.Table:
    rows = raw.filter(raw.role == role)
    return rows.mutate(
        _child_key=_key(rows.source_key),
        _child_match_key=udfs.match_key(rows.organisation_name),
    )


def _contact_sheet_rows(raw: ir.Table, orgs: ir.Table) -> ir.Table:
    rows = _child_rows(raw, "contact")
    rows = rows.mutate(
        _contact=udfs.sheet_contact(
            rows.first_name,
            rows.surname,
            rows.position,
            rows.phone,
            rows.mobile,
            rows.landline,
            rows.whatsapp,
            rows.email,
        ),
        _dnc=udfs.do_not_contact(rows.crm_status),
    )
    return _attach(rows, orgs)


def _contact_record(
    rows: ir.Table,
    contact: ir.StructValue,
    *,
    contact_id: ir.StringValue,
    org_record_id: ir.StringValue,
    attach_method: ir.StringValue,
    do_not_contact: ir.BooleanValue,
) -> ir.Table:
    """The staged-contact columns, in contract order, from a parsed contact struct."""
    return rows.select(
        contact_id=contact_id,
        record_id=rows.record_id,
        org_record_id=org_record_id,
        attach_method=attach_method,
        source_file=rows.source_file,
        profile=rows.profile,
        name=contact["name"],
        role=contact["role"],
        email=contact["email"],
        phone=contact["phone"],
        phone_raw=contact["phone_raw"],
        phone_kind=contact["phone_kind"],
        placeholder=contact["placeholder"],
        note=contact["reason"],
        do_not_contact=do_not_contact,
    )


def _with_row_details(exploded: ir.Table) -> ir.StructValue:
    """The packed contact at ``_pos`` with the row's phone and email it owns: the only contact
    takes the first of each; several contacts take them position by position, and only when
    the counts agree (otherwise nobody can say whose number it is)."""
    contact = exploded._list[exploded._pos - 1]
    count = exploded._list.length()
    index = exploded._pos - 1
    phones, emails = exploded._row_phones, exploded._row_emails
    # Indexed only where the index exists: Spark (ANSI) fails an index out of range.
    owns_phone = ((count == 1) | (phones.length() == count)) & (index < phones.length())
    owns_email = ((count == 1) | (emails.length() == count)) & (index < emails.length())
    phone = phones[index]

    def owned(owns: ir.BooleanValue, value: ir.StringValue) -> ir.StringValue:
        return ibis.ifelse(owns, value, ibis.null("string"))

    return ibis.struct(
        {
            "name": contact["name"],
            "role": contact["role"],
            "email": owned(owns_email, emails[index]),
            "phone": owned(owns_phone, phone["e164"]),
            "phone_raw": owned(owns_phone, phone["raw"]),
            "phone_kind": owned(owns_phone, phone["kind"]),
            "placeholder": contact["placeholder"],
            "reason": contact["reason"],
        }
    )


def _contacts(contact_rows: ir.Table, orgs: ir.Table) -> ir.Table:
    from_sheets = contact_rows.filter(
        contact_rows._contact.notnull() & contact_rows.org_record_id.notnull()
    )
    sheet_contacts = _contact_record(
        from_sheets,
        from_sheets._contact,
        contact_id=from_sheets.record_id,
        org_record_id=from_sheets.org_record_id,
        attach_method=from_sheets.attach_method,
        do_not_contact=from_sheets._dnc,
    )
    packed = orgs.filter(orgs._contacts_cell.notnull() & orgs.match_key.notnull())
    packed = packed.mutate(
        _list=udfs.contact_cell(packed._contacts_cell),
        _row_phones=packed._phone_cell.filter(lambda p: p["e164"].notnull()),
    )
    packed = packed.mutate(_n=ibis.range(1, packed._list.length() + 1))
    exploded = packed.select(
        "record_id",
        "source_file",
        "profile",
        "do_not_contact",
        "_list",
        "_row_phones",
        _row_emails=packed.emails,
        _pos=packed._n.unnest(),
    )
    row_contacts = _contact_record(
        exploded,
        _with_row_details(exploded),
        contact_id=exploded.record_id + "#" + exploded._pos.cast("string"),
        org_record_id=exploded.record_id,
        attach_method=ibis.literal("same_row"),
        do_not_contact=exploded.do_not_contact,
    )
    return sheet_contacts.union(row_contacts)


def _address_rows(raw: ir.Table, orgs: ir.Table) -> ir.Table:
    """Address-sheet and continuation rows with their organisation and parsed parts."""
    rows = _attach(_child_rows(raw, "address"), orgs)
    rows = rows.mutate(
        org_record_id=rows.parent_record_id.fill_null(rows.org_record_id),
        attach_method=ibis.ifelse(
            rows.parent_record_id.notnull(), "continuation", rows.attach_method
        ),
        _parts=udfs.address_cell(rows.address),
    )
    return rows.mutate(_empty_row=(rows._parts.length() == 0) & rows.airport.isnull())


def _addresses(rows: ir.Table, orgs: ir.Table) -> ir.Table:
    attached = rows.filter(rows.org_record_id.notnull() & ~rows._empty_row)
    # One address row with no text but an airport still says where the organisation is.
    attached = attached.mutate(
        _parts=ibis.ifelse(
            attached._parts.length() == 0,
            ibis.array(
                [ibis.struct({"kind": ibis.literal("street"), "text": ibis.null("string")})]
            ),
            attached._parts,
        )
    )
    attached = attached.mutate(_n=ibis.range(1, attached._parts.length() + 1))
    sheet_rows = attached.select(
        "record_id",
        "org_record_id",
        "attach_method",
        "source_file",
        "profile",
        "airport",
        "address_type",
        "continuation_type",
        "_parts",
        _pos=attached._n.unnest(),
    )
    sheet_rows = sheet_rows.mutate(_a=sheet_rows._parts[sheet_rows._pos - 1])
    from_rows = sheet_rows.select(
        address_id=sheet_rows.record_id + "#" + sheet_rows._pos.cast("string"),
        record_id=sheet_rows.record_id,
        org_record_id=sheet_rows.org_record_id,
        attach_method=sheet_rows.attach_method,
        source_file=sheet_rows.source_file,
        profile=sheet_rows.profile,
        address_type=sheet_rows.continuation_type.fill_null(
            sheet_rows.address_type.lower().re_replace("^satelite$", "satellite")
        ).fill_null(sheet_rows._a["kind"]),
        kind=sheet_rows._a["kind"],
        text=sheet_rows._a["text"],
        airport=sheet_rows.airport,
    )
    own = orgs.filter(orgs._address.notnull() & orgs.match_key.notnull())
    own = own.mutate(_parts=udfs.address_cell(own._address))
    own = own.mutate(_n=ibis.range(1, own._parts.length() + 1))
    own_rows = own.select("record_id", "source_file", "profile", "_parts", _pos=own._n.unnest())
    own_rows = own_rows.mutate(_a=own_rows._parts[own_rows._pos - 1])
    from_orgs = own_rows.select(
        address_id=own_rows.record_id + "#" + own_rows._pos.cast("string"),
        record_id=own_rows.record_id,
        org_record_id=own_rows.record_id,
        attach_method=ibis.literal("same_row"),
        source_file=own_rows.source_file,
        profile=own_rows.profile,
        address_type=own_rows._a["kind"],
        kind=own_rows._a["kind"],
        text=own_rows._a["text"],
        airport=ibis.null("string"),
    )
    return from_rows.union(from_orgs)


def _quarantine_rows(
    table: ir.Table, condition: ir.BooleanValue, *, role: str, rule: str, reason: str
) -> ir.Table:
    rows = table.filter(condition)
    return rows.select(
        "record_id",
        "source_file",
        "sheet",
        "excel_row",
        "profile",
        role=ibis.literal(role),
        rule=ibis.literal(rule),
        reason=ibis.literal(reason),
    )


def standardise(raw: ir.Table) -> StagedTables:
    """Build the staged tables from the raw table.

    Lazy apart from three intermediates (parsed organisations, contact rows, address rows),
    materialised once in the backend when this is called.
    """
    # Materialised once in the backend because every output reuses them; otherwise the
    # Python UDFs would run again for each output table.
    orgs = materialise(_organisations(raw))
    contact_rows = materialise(_contact_sheet_rows(raw, orgs))
    address_rows = materialise(_address_rows(raw, orgs))
    contacts = _contacts(contact_rows, orgs)
    addresses = _addresses(address_rows, orgs)
    # The same tests as names.match_key, on the same raw text, to say why a key is missing.
    named = orgs.name_raw.notnull()
    too_long = named & (orgs.name_raw.length() > MAX_NAME_LENGTH)
    no_letters = named & ~too_long & ~orgs.name_raw.re_search(r"\pL")
    quarantine = ibis.union(
        _quarantine_rows(
            orgs,
            orgs.match_key.isnull() & ~too_long & ~no_letters,
            role="organisation",
            rule="organisation_name_missing",
            reason="organisation row without a usable organisation name",
        ),
        _quarantine_rows(
            orgs,
            orgs.match_key.isnull() & too_long,
            role="organisation",
            rule="organisation_name_too_long",
            reason=f"organisation name longer than {MAX_NAME_LENGTH} characters",
        ),
        _quarantine_rows(
            orgs,
            orgs.match_key.isnull() & no_letters,
            role="organisation",
            rule="organisation_name_no_letters",
            reason="organisation name holds no letter (a number or code in the name column?)",
        ),
        _quarantine_rows(
            contact_rows,
            contact_rows._contact.isnull(),
            role="contact",
            rule="contact_empty",
            reason="contact row names no person or role and holds no valid phone or email",
        ),
        _quarantine_rows(
            contact_rows,
            contact_rows._contact.notnull() & contact_rows.org_record_id.isnull(),
            role="contact",
            rule="contact_orphan",
            reason="no organisation in the same file matches the row's key or name",
        ),
        _quarantine_rows(
            address_rows,
            address_rows._empty_row,
            role="address",
            rule="address_empty",
            reason="address row holds no address or airport",
        ),
        _quarantine_rows(
            address_rows,
            ~address_rows._empty_row & address_rows.org_record_id.isnull(),
            role="address",
            rule="address_orphan",
            reason="no organisation in the same file matches the row's name",
        ),
    )
    organisations = orgs.filter(orgs.match_key.notnull()).drop(
        "_address", "_contacts_cell", "_phone_cell"
    )
    accepted = raw.select("record_id").difference(quarantine.select("record_id"))
    return StagedTables(
        organisations,
        contacts,
        addresses,
        quarantine,
        accepted,
        cached=(orgs, contact_rows, address_rows),
    )
