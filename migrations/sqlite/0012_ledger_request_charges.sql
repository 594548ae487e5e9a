-- Request charges leave the ledger's unique index on `reference`, and ids lose AUTOINCREMENT:
-- together about 8 % of the request-log writer's CPU (README, session 17).
--
-- A request's charge ('request:<id>') is booked by the log writer in the same transaction as
-- the request's log row, and only when that row is new: the log row's primary key (the
-- request id) already makes the charge unique, so a second unique check on the ledger was
-- paid for on every request and never decided anything. Every other reference (payments,
-- grants, redemption codes, video jobs) stays unique, as before.
--
-- AUTOINCREMENT only keeps SQLite from reusing the ids of deleted rows, and no ledger row is
-- ever deleted (the triggers below), so ids still only grow; it cost a write to
-- sqlite_sequence per entry. SQLite cannot drop a column constraint, so the table is rebuilt
-- (ids kept; DROP TABLE fires no trigger).

CREATE TABLE ledger_entries_new (
    id                  INTEGER PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations(id),
    kind                TEXT NOT NULL CHECK (kind IN ('top_up', 'redemption', 'admin_grant', 'charge', 'refund', 'adjustment')),
    amount_units        INTEGER NOT NULL,
    balance_after_units INTEGER NOT NULL,
    reference           TEXT NOT NULL,
    note                TEXT NOT NULL DEFAULT '',
    actor_user_id       TEXT,
    created_at          INTEGER NOT NULL
);
INSERT INTO ledger_entries_new (id, org_id, kind, amount_units, balance_after_units, reference, note, actor_user_id, created_at)
SELECT id, org_id, kind, amount_units, balance_after_units, reference, note, actor_user_id, created_at FROM ledger_entries;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_new RENAME TO ledger_entries;

-- the predicate is written the same way in the queries that rely on this index
CREATE UNIQUE INDEX ledger_reference ON ledger_entries(reference) WHERE substr(reference, 1, 8) <> 'request:';
CREATE INDEX ledger_org ON ledger_entries(org_id, id);

-- The ledger is append-only.
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
