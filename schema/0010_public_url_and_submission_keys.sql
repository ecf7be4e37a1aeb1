-- Links in mails (files, spam releases) now start with PUBLIC_URL, decided at each send:
-- the origin a visitor's request named is never used again (its Host can be anything,
-- and a host switched off later kept every retry pointing at it). The stored origins
-- are dropped rather than kept as data no one uses.
ALTER TABLE inquiries DROP COLUMN worker_origin;

-- 1: Resend could not fetch this inquiry's file by its link (its 422 named the
-- attachment): later attempts send the file inline, or say how to get it.
ALTER TABLE inquiries ADD COLUMN link_refused INTEGER NOT NULL DEFAULT 0;

-- Sending twice: the Idempotency-Key header or `_submission` field of a stored
-- submission, for 24 hours. Only a SHA-256 of the content is kept (to tell a repeat
-- from a reused key), never the content; the scheduled run deletes rows after a day.
CREATE TABLE submission_keys (
  key TEXT PRIMARY KEY,                -- as the client sent it (1-255 visible ASCII characters)
  content_hash TEXT NOT NULL,          -- base64url SHA-256 of the submitted fields and file
  inquiry_id TEXT NOT NULL,            -- the id the first answer gave
  created_at INTEGER NOT NULL          -- ms; purged 24 hours later
) WITHOUT ROWID;
CREATE INDEX submission_keys_created ON submission_keys (created_at);
