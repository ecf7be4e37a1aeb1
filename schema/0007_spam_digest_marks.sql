-- The spam digest marks what it listed, instead of remembering a time up to which it
-- listed: an inquiry stored a moment after that time was read but dated before it
-- (a request that straddled midnight), or held and released later, was never in any
-- digest. Now every quarantined inquiry not yet listed waits for the next digest.
ALTER TABLE inquiries ADD COLUMN digested_at INTEGER;  -- ms; when a digest listed it

-- Those the old digests already listed (received before its last cut) count as listed.
UPDATE inquiries SET digested_at = created_at
WHERE delivery_status = 'quarantined'
  AND created_at < COALESCE((SELECT CAST(value AS INTEGER) FROM worker_state WHERE name = 'digest_until'), 0);
DELETE FROM worker_state WHERE name = 'digest_until';
