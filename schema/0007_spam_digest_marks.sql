-- The spam digest marks what it listed, instead of remembering a time up to which it
-- listed: an inquiry stored a moment after that time was read but dated before it
-- (a request that straddled midnight), or held and released later, was never in any
-- digest. Now every quarantined inquiry not yet listed waits for the next digest.
ALTER TABLE inquiries ADD COLUMN digested_at INTEGER;  -- ms; when a digest listed it

-- Which inquiries the old digests listed cannot be told apart from those they skipped
-- (held ones, late ones), so none is marked: each is listed once more rather than never.
DELETE FROM worker_state WHERE name = 'digest_until';
