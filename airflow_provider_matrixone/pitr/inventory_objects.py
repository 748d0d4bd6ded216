"""The object inventory beyond tables and columns: indexes, foreign keys, views, sequences, roles and grants.

Why: the 2026 MatrixOne restores that went wrong left every row right and lost an object: views
(#26070), sequences (#27049), invisible indexes turned visible (#27078), grants bound to the old
objects (#26640), a foreign-key parent silently skipped (#27117). A proof that compares rows alone
says VERIFIED on each. This module reads those objects at T (time-travel hints, reference §2.8:
a hint goes after any table name, and after ``SHOW FULL TABLES`` / ``SHOW CREATE VIEW``) and now,
with the same statements, and turns each difference into one sentence a person understands.

The inventory is plain JSON (it travels in XCom inside the reference). Object ids are never
compared: a restore gives tables new ids, so grants are compared by the *name* their id resolves to
at the same instant, and a grant whose id resolves to nothing is reported as such.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import statements
from .identifiers import quote_contained, quote_string

__all__ = ["ObjectReader", "diff_objects", "read_objects"]

#: ``run(sqls) -> [(columns, rows), ...]`` (``reading.BatchReader.run``).
ObjectReader = Callable[[Sequence[str]], list[tuple[list[str], list[tuple[Any, ...]]]]]

Inventory = dict[str, Any]


def _text(value: Any) -> str:
    return bytes(value).decode() if isinstance(value, (bytes, bytearray)) else str(value)


def _hint(at_ns: int | None) -> str:
    return f" {statements.time_travel_hint(at_ns=at_ns)}" if at_ns is not None else ""


def _in(values: Iterable[str]) -> str:
    return ", ".join(quote_string(v) for v in values)


# --------------------------------------------------------------------------------------------- reading


def read_objects(run: ObjectReader, dbs: Sequence[str], at_ns: int | None, *, tables: Iterable[str] | None = None,
                 account: bool = False, users: bool = False) -> Inventory:
    """Read the objects of ``dbs`` at ``at_ns`` (``None``: now).

    ``tables`` (``"db.t"`` names) narrows indexes and foreign keys to those tables and skips views
    and sequences (a table-level scope owns neither). ``account`` adds roles, memberships and grants;
    ``users`` adds the user list (not for a restore into another account, which keeps its own users).
    """
    dbs = sorted(set(dbs))
    inv: Inventory = {"indexes": {}, "foreign_keys": {}, "views": {}, "sequences": {}}
    only = {t.lower() for t in tables} if tables is not None else None
    if dbs:
        h = _hint(at_ns)
        names = _in(dbs)
        # views and sequences belong to a database: a table scope reads neither
        relations = [] if only is not None else [
            f"SELECT reldatabase, relname, relkind FROM mo_catalog.mo_tables{h} WHERE reldatabase IN ({names})",  # noqa: S608
            *(f"SHOW FULL TABLES FROM {quote_contained(db, 'database')}{h}" for db in dbs)]
        stats, kcu, refs, *rest = run([
            "SELECT table_schema, table_name, index_name, seq_in_index, column_name, non_unique, is_visible "  # noqa: S608 - quoted literals
            f"FROM information_schema.statistics{h} WHERE table_schema IN ({names})",
            "SELECT table_schema, table_name, constraint_name, ordinal_position, column_name, "  # noqa: S608
            "referenced_table_schema, referenced_table_name, referenced_column_name "
            f"FROM information_schema.key_column_usage{h} WHERE table_schema IN ({names})",
            "SELECT constraint_schema, table_name, constraint_name, update_rule, delete_rule "  # noqa: S608
            f"FROM information_schema.referential_constraints{h} WHERE constraint_schema IN ({names})",
            *relations,
        ])
        _parse_indexes(inv, stats[1], only)
        _parse_foreign_keys(inv, kcu[1], refs[1], only)
        if only is None:
            views, seqs = _classify(dbs, rest[0][1], [r for _, r in rest[1:]])
            _read_views(run, inv, views, h)
            _read_sequences(run, inv, seqs, h)
    if account:
        _read_account(run, inv, _hint(at_ns), users)
    return inv


def _wanted(name: str, only: set[str] | None) -> bool:
    return only is None or name.lower() in only


def _parse_indexes(inv: Inventory, rows: Sequence[tuple[Any, ...]], only: set[str] | None) -> None:
    parts: dict[tuple[str, str], list[tuple[int, str, bool, bool]]] = {}
    for schema, table, index, seq, column, non_unique, visible in rows:
        name = f"{_text(schema)}.{_text(table)}"
        if _wanted(name, only):
            parts.setdefault((name, _text(index)), []).append(
                (int(seq), _text(column), not int(non_unique), _text(visible or "YES").upper() != "NO"))
    for (table, index), cols in sorted(parts.items()):
        cols.sort()
        inv["indexes"].setdefault(table, {})[index] = {
            "columns": [c[1] for c in cols], "unique": cols[0][2], "visible": cols[0][3]}


def _parse_foreign_keys(inv: Inventory, kcu: Sequence[tuple[Any, ...]], refs: Sequence[tuple[Any, ...]],
                        only: set[str] | None) -> None:
    rules = {(f"{_text(s)}.{_text(t)}".lower(), _text(c).lower()): (_text(u).upper(), _text(d).upper())
             for s, t, c, u, d in refs}
    keys: dict[tuple[str, str], list[tuple[int, str, str, str]]] = {}
    for schema, table, constraint, pos, column, rschema, rtable, rcolumn in kcu:
        name = f"{_text(schema)}.{_text(table)}"
        if rtable is None or not _wanted(name, only):
            continue
        keys.setdefault((name, _text(constraint)), []).append(
            (int(pos), _text(column), f"{_text(rschema)}.{_text(rtable)}", _text(rcolumn)))
    for (table, constraint), cols in sorted(keys.items()):
        cols.sort()
        on_update, on_delete = rules.get((table.lower(), constraint.lower()), ("", ""))
        inv["foreign_keys"].setdefault(table, {})[constraint] = {
            "columns": [c[1] for c in cols], "references": cols[0][2], "ref_columns": [c[3] for c in cols],
            "on_update": on_update, "on_delete": on_delete}


def _classify(dbs: Sequence[str], rels: Sequence[tuple[Any, ...]],
              full: Sequence[Sequence[tuple[Any, ...]]]) -> tuple[list[str], list[str]]:
    """Views from ``SHOW FULL TABLES``; sequences from ``mo_tables``.

    MatrixOne marks sequences ``relkind = 'S'`` and leaves them out of SHOW TABLES; matrixone_lite
    lists them as ``'r'``. So a relation that SHOW FULL TABLES does not list (and that is not a
    hidden ``__mo_`` index table) is a sequence on both.
    """
    views: list[str] = []
    listed: set[str] = set()
    for db, rows in zip(dbs, full, strict=True):
        for row in rows:
            name = f"{db}.{_text(row[0])}"
            listed.add(name.lower())
            if len(row) > 1 and _text(row[1]).upper() == "VIEW":
                views.append(name)
    seqs = []
    for db, rel, kind in rels:
        name = f"{_text(db)}.{_text(rel)}"
        k = _text(kind or "")
        if k == "S" or (k.lower() == "r" and name.lower() not in listed and not _text(rel).startswith("__mo_")):
            seqs.append(name)
    return sorted(views), sorted(set(seqs))


def _obj(name: str) -> str:
    db, obj = name.split(".", 1)
    return f"{quote_contained(db, 'database')}.{quote_contained(obj, 'object')}"


def _read_views(run: ObjectReader, inv: Inventory, views: Sequence[str], h: str) -> None:
    for name, (_, rows) in zip(views, run([f"SHOW CREATE VIEW {_obj(v)}{h}" for v in views]), strict=True):
        inv["views"][name] = " ".join(_text(rows[0][1]).split()) if rows else ""


_SEQ_FIELDS = ("last_seq_num", "min_value", "max_value", "start_value", "increment_value", "cycle", "is_called")


def _read_sequences(run: ObjectReader, inv: Inventory, seqs: Sequence[str], h: str) -> None:
    sqls = [f"SELECT {', '.join(_SEQ_FIELDS)} FROM {_obj(s)}{h}" for s in seqs]  # noqa: S608 - quoted names
    for name, (_, rows) in zip(seqs, run(sqls), strict=True):
        if rows:
            inv["sequences"][name] = {f: _plain(v) for f, v in zip(_SEQ_FIELDS, rows[0], strict=True)}


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    text = _text(value)
    return int(text) if text.lstrip("-").isdigit() else text


def _read_account(run: ObjectReader, inv: Inventory, h: str, users: bool) -> None:
    roles, members, privs, user_rows, tables, dbs = run([
        f"SELECT role_id, role_name FROM mo_catalog.mo_role{h}",  # noqa: S608 - hint only
        f"SELECT role_id, user_id FROM mo_catalog.mo_user_grant{h}",  # noqa: S608
        f"SELECT role_name, obj_type, obj_id, privilege_name, privilege_level, with_grant_option "  # noqa: S608
        f"FROM mo_catalog.mo_role_privs{h}",
        f"SELECT user_id, user_name FROM mo_catalog.mo_user{h}",  # noqa: S608
        f"SELECT rel_id, reldatabase, relname FROM mo_catalog.mo_tables{h}",  # noqa: S608
        f"SELECT dat_id, datname FROM mo_catalog.mo_database{h}",  # noqa: S608
    ])
    role_names = {int(i): _text(n) for i, n in roles[1]}
    user_names = {int(i): _text(n) for i, n in user_rows[1]}
    table_names = {int(i): f"{_text(d)}.{_text(t)}" for i, d, t in tables[1]}
    db_names = {int(i): _text(d) for i, d in dbs[1]}
    inv["roles"] = sorted(set(role_names.values()))
    inv["memberships"] = sorted({(user_names.get(int(u), f"user id {u}"), role_names.get(int(r), f"role id {r}"))
                                 for r, u in members[1] if r is not None and u is not None})
    inv["grants"] = sorted({(_text(role), _text(priv), _grant_object(_text(otype), int(oid), _text(level),
                                                                      table_names, db_names), int(wgo or 0))
                            for role, otype, oid, priv, level, wgo in privs[1] if oid is not None})
    if users:
        inv["users"] = sorted(set(user_names.values()))
    else:  # a restore into another account keeps the target's users: memberships compare on shared names
        inv["member_users"] = sorted(set(user_names.values()))


def _grant_object(otype: str, oid: int, level: str, tables: dict[int, str], dbs: dict[int, str]) -> str:
    """A grant's object by name at the same instant; an id that names nothing is said so (#26640)."""
    if otype == "account" or oid == 0:
        return f"{otype} {level}".strip()
    if otype == "table" and "*" not in level:
        name = tables.get(oid)
        return f"table {name}" if name else f"table id {oid} (no such table: the grant points at a gone object)"
    name = dbs.get(oid)
    suffix = ".*" if otype == "table" else ""
    return f"{otype} {name}{suffix}" if name else f"{otype} id {oid} (no such database: the grant points at a gone object)"


# ------------------------------------------------------------------------------------------- comparing


def diff_objects(at_t: Inventory, now: Inventory, tables_now: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """Each difference as ``(object type, object name, sentence)``; missing sections are not compared.

    ``tables_now`` (``"db.t"``): the tables present now. The keys and indexes of a table that is
    missing are not listed one by one (the table's own verdict says it is missing); ``None``
    compares every table.
    """
    out: list[tuple[str, str, str]] = []
    present = None if tables_now is None else {t.lower() for t in tables_now}
    _diff_indexes(out, at_t.get("indexes") or {}, now.get("indexes") or {}, present)
    _diff_foreign_keys(out, at_t.get("foreign_keys") or {}, now.get("foreign_keys") or {}, present)
    _diff_views(out, at_t.get("views"), now.get("views"))
    _diff_sequences(out, at_t.get("sequences"), now.get("sequences"))
    for section, what in (("roles", "role"), ("users", "user")):
        if section in at_t and section in now:
            before, after = set(at_t[section]), set(now[section])
            out.extend((what, n, f"{what} {n} existed at T and is missing now") for n in sorted(before - after))
            out.extend((what, n, f"{what} {n} did not exist at T and exists now") for n in sorted(after - before))
    if "memberships" in at_t and "memberships" in now:
        before_m = {tuple(m) for m in at_t["memberships"]}
        after_m = {tuple(m) for m in now["memberships"]}
        if "member_users" in at_t and "member_users" in now:  # restored beside: only users both accounts have
            shared = set(at_t["member_users"]) & set(now["member_users"])
            before_m = {m for m in before_m if m[0] in shared}
            after_m = {m for m in after_m if m[0] in shared}
        out.extend(("grant", f"{r} to {u}", f"role {r} was granted to user {u} at T and is not now")
                   for u, r in sorted(before_m - after_m))
        out.extend(("grant", f"{r} to {u}", f"role {r} is granted to user {u} now and was not at T")
                   for u, r in sorted(after_m - before_m))
    if "grants" in at_t and "grants" in now:
        before_g = {tuple(g) for g in at_t["grants"]}
        after_g = {tuple(g) for g in now["grants"]}
        out.extend(("grant", _grant_name(g), f"grant {_grant_name(g)} existed at T and is missing now")
                   for g in sorted(before_g - after_g))
        out.extend(("grant", _grant_name(g), f"grant {_grant_name(g)} did not exist at T and exists now")
                   for g in sorted(after_g - before_g))
    return out


def _grant_name(g: tuple[Any, ...]) -> str:
    role, priv, obj, wgo = g
    return f"{priv} on {obj} to role {role}" + (" with grant option" if wgo else "")


def _cols(cols: Sequence[str]) -> str:
    return "(" + ", ".join(cols) + ")"


def _index_name(table: str, index: str) -> str:
    return f"primary key of {table}" if index.upper() == "PRIMARY" else f"index {table}.{index}"


def _gone(table: str, present: set[str] | None) -> bool:
    return present is not None and table.lower() not in present


def _diff_indexes(out: list[tuple[str, str, str]], before: dict[str, Any], after: dict[str, Any],
                  present: set[str] | None) -> None:
    for table in sorted(set(before) | set(after)):
        b, a = before.get(table, {}), after.get(table, {})
        if _gone(table, present):
            continue  # the table itself is missing: said once, by the table's verdict
        for index in sorted(set(b) | set(a)):
            what = _index_name(table, index)
            x, y = b.get(index), a.get(index)
            if y is None and x is not None:
                kind = "unique " if x["unique"] and index.upper() != "PRIMARY" else ""
                out.append(("index", f"{table}.{index}", f"{kind}{what} {_cols(x['columns'])} existed at T and is "
                                                          "missing now"))
            elif x is None and y is not None:
                if table in before:
                    out.append(("index", f"{table}.{index}", f"{what} {_cols(y['columns'])} did not exist at T "
                                                              "and exists now"))
            elif x is not None and y is not None:
                if [c.lower() for c in x["columns"]] != [c.lower() for c in y["columns"]]:
                    out.append(("index", f"{table}.{index}", f"{what} was on {_cols(x['columns'])} at T and is on "
                                                              f"{_cols(y['columns'])} now"))
                if x["unique"] != y["unique"]:
                    out.append(("index", f"{table}.{index}", f"{what} was {'unique' if x['unique'] else 'not unique'}"
                                                              f" at T and is {'unique' if y['unique'] else 'not unique'}"
                                                              " now"))
                if x["visible"] != y["visible"]:
                    out.append(("index", f"{table}.{index}", f"{what} was {'visible' if x['visible'] else 'invisible'}"
                                                              f" at T and is {'visible' if y['visible'] else 'invisible'}"
                                                              " now"))


def _fk_text(table: str, name: str, fk: dict[str, Any]) -> str:
    return (f"foreign key {table}.{name} {_cols(fk['columns'])} -> {fk['references']} {_cols(fk['ref_columns'])}")


def _diff_foreign_keys(out: list[tuple[str, str, str]], before: dict[str, Any], after: dict[str, Any],
                       present: set[str] | None) -> None:
    for table in sorted(set(before) | set(after)):
        if _gone(table, present):
            continue
        b, a = before.get(table, {}), after.get(table, {})
        for name in sorted(set(b) | set(a)):
            x, y = b.get(name), a.get(name)
            obj = f"{table}.{name}"
            if y is None and x is not None:
                out.append(("foreign key", obj, f"{_fk_text(table, name, x)} existed at T and is missing now"))
            elif x is None and y is not None:
                out.append(("foreign key", obj, f"{_fk_text(table, name, y)} did not exist at T and exists now"))
            elif x is not None and y is not None:
                keys = ("columns", "references", "ref_columns")
                if [str(x[k]).lower() for k in keys] != [str(y[k]).lower() for k in keys]:
                    out.append(("foreign key", obj, f"{_fk_text(table, name, x)} at T is {_fk_text(table, name, y)}"
                                                    " now"))
                for rule in ("on_delete", "on_update"):
                    if x.get(rule) != y.get(rule):
                        out.append(("foreign key", obj, f"foreign key {obj} was {rule.replace('_', ' ').upper()} "
                                                        f"{x.get(rule)} at T and is {y.get(rule)} now"))


def _presence(out: list[tuple[str, str, str]], kind: str, name: str, at_t: object, now: object) -> bool:
    """Report an object present on one side only; True when reported (nothing more to compare)."""
    if now is None:
        out.append((kind, name, f"{kind} {name} existed at T and is missing now"))
    elif at_t is None:
        out.append((kind, name, f"{kind} {name} did not exist at T and exists now"))
    else:
        return False
    return True


def _diff_views(out: list[tuple[str, str, str]], before: dict[str, str] | None, after: dict[str, str] | None) -> None:
    if before is None or after is None:
        return
    for name in sorted(set(before) | set(after)):
        x, y = before.get(name), after.get(name)
        if _presence(out, "view", name, x, y) or x is None or y is None:
            continue
        if x.lower() != y.lower():
            out.append(("view", name, f"view {name} is defined differently now: at T `{x}`, now `{y}`"))


def _diff_sequences(out: list[tuple[str, str, str]], before: dict[str, Any] | None,
                    after: dict[str, Any] | None) -> None:
    if before is None or after is None:
        return
    for name in sorted(set(before) | set(after)):
        x, y = before.get(name), after.get(name)
        if _presence(out, "sequence", name, x, y) or x is None or y is None:
            continue
        if (x["last_seq_num"], x["is_called"]) != (y["last_seq_num"], y["is_called"]):
            lower = _as_int(y["last_seq_num"]) < _as_int(x["last_seq_num"])
            out.append(("sequence", name, f"sequence {name} {'was reset: its' if lower else 'has moved: its'} "
                                          f"last value was {x['last_seq_num']} at T and is {y['last_seq_num']} "
                                          f"now{' (nextval would hand out values again)' if lower else ''}"))
        for f in _SEQ_FIELDS[1:6]:
            if x.get(f) != y.get(f):
                out.append(("sequence", name, f"sequence {name} had {f.replace('_', ' ')} {x.get(f)} at T and "
                                              f"has {y.get(f)} now"))


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# ------------------------------------------------------------------------------------- capture glue


def read_params(level: str | None, dbs: Iterable[str] | None, pairs: Iterable[tuple[str, str]], *,
                explicit: bool, beside: bool) -> dict[str, Any]:
    """What to read for a scope, kept in the reference so the current state is read the same way.

    Account (and cluster) scopes add roles and grants; users only in place (a restore into
    another account keeps the target's users). A table scope or an explicit table list reads the
    indexes and foreign keys of those tables only.
    """
    pairs = list(pairs)
    account = level in ("account", "cluster") and not explicit
    tables = sorted(f"{d}.{t}" for d, t in pairs) if explicit or level == "table" else None
    names = sorted(set(dbs) if dbs is not None else {d for d, _ in pairs})
    return {"dbs": names, "tables": tables, "account": account, "users": account and not beside}


def capture(run: ObjectReader, params: dict[str, Any], at_ns: int | None,
            dbs: Sequence[str] | None = None) -> Inventory:
    """:func:`read_objects` with :func:`read_params`' answer (``dbs`` overrides the databases read)."""
    inv = read_objects(run, params["dbs"] if dbs is None else dbs, at_ns, tables=params.get("tables"),
                       account=bool(params.get("account")), users=bool(params.get("users")))
    inv["read"] = params
    return inv


def without_views(pairs: Iterable[tuple[str, str]], inv: Inventory | None) -> list[tuple[str, str]]:
    """SHOW TABLES lists views: they are compared by definition here, not counted as tables."""
    views = {v.lower() for v in (inv or {}).get("views") or {}}
    return [p for p in pairs if f"{p[0]}.{p[1]}".lower() not in views]
