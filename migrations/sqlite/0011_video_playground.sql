-- The console's video playground (`/playground/video`): signed-in people make jobs through
-- their playground key (`api_keys.purpose = 'playground'`), guests through the guest pool.
--
-- A guest's job names the guest (cookie id) and its address, like its request-log row (which
-- carries the same two columns, so the guest's daily limits, seeded from the log after a
-- restart, count its video spend). Its key_id is the reserved id `guest-pool` (no key has it:
-- real key ids are UUIDs), and its log row has no key, as a guest's chat request.
ALTER TABLE video_jobs ADD COLUMN guest_id TEXT;
ALTER TABLE video_jobs ADD COLUMN guest_ip TEXT;
-- the playground's history: an organization's jobs, a guest's jobs, newest first
CREATE INDEX video_jobs_org ON video_jobs(org_id, created_at);
CREATE INDEX video_jobs_guest ON video_jobs(guest_id, created_at) WHERE guest_id IS NOT NULL;
