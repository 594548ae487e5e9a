-- Every change of an organization's balance counts up its version, in the same update: a
-- process that shares admission counters with others (Redis) keeps the newest balance it is
-- told of and ignores a late, older read.
ALTER TABLE organizations ADD COLUMN balance_version INTEGER NOT NULL DEFAULT 0;
