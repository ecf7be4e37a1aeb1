-- Spam scoring (README, Spam). On the inquiry: its score and reason codes (for the
-- operator), and a hash of its normalised message, so "the same message from other
-- addresses" is one indexed look-up and no copy of any text is kept elsewhere.
-- NULL score: not scored (SPAM_FILTER=off, or stored before scoring existed).
ALTER TABLE inquiries ADD COLUMN spam_score INTEGER;
ALTER TABLE inquiries ADD COLUMN spam_reasons TEXT;  -- reason codes, comma-separated
ALTER TABLE inquiries ADD COLUMN message_hash TEXT;  -- hex SHA-256 of the normalised message
CREATE INDEX inquiries_message_hash ON inquiries (message_hash, created_at)
  WHERE message_hash IS NOT NULL;

-- The worker's own small state: the key that signs render tokens and release links
-- (created once, at random, by the worker itself: no secret to configure), the time
-- of the last spam digest, and the worker's public origin for the links in it.
CREATE TABLE worker_state (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
