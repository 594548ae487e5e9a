-- The console's chat playground, for users and for guests.
--
-- A signed-in user's playground requests go through a key of their own per organization,
-- marked `purpose = 'playground'`: it has no usable secret, is never listed with the API
-- keys, and its spend is the organization's like any key's.
ALTER TABLE api_keys ADD COLUMN purpose TEXT;
CREATE UNIQUE INDEX api_keys_playground ON api_keys(org_id, created_by) WHERE purpose = 'playground';

-- Guests (visitors who have not signed up) are billed to the operator-funded guest pool
-- organization; each guest request's log row names the guest (cookie id) and its address,
-- so the daily guest limits are seeded from the log after a restart.
ALTER TABLE request_logs ADD COLUMN guest_id TEXT;
ALTER TABLE request_logs ADD COLUMN guest_ip TEXT;
CREATE INDEX request_logs_guest ON request_logs(guest_id, created_at) WHERE guest_id IS NOT NULL;
CREATE INDEX request_logs_guest_ip ON request_logs(guest_ip, created_at) WHERE guest_ip IS NOT NULL;

INSERT INTO organizations (id, name, personal, balance_units, created_at)
VALUES ('guest-pool', 'Guest pool', FALSE, 0, 0);
