-- Delivery states beyond pending/sent/failed, and what the delivery rules need on the row:
-- the first attempt's time (every automatic retry stays inside Resend's 24-hour
-- idempotency window), the operator's retry count (a retry sends under a new
-- Idempotency-Key, inquiry-<id>-r<n>), whether Resend refused the visitor's address as
-- reply_to, and indexes so /health, the deliveries list, the webhook and the file
-- clean-up read a few index entries instead of the table.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
-- Still no IP, user agent or referrer here (privacy notice: technical data are
-- never combined with form data).
CREATE TABLE inquiries_new (
  id TEXT PRIMARY KEY,                 -- random UUID, unguessable
  created_at INTEGER NOT NULL,         -- milliseconds since the epoch, UTC
  name TEXT NOT NULL,
  email TEXT NOT NULL,                 -- as sent, domain lower-cased
  email_key TEXT NOT NULL,             -- whole address lower-cased: case-insensitive look-ups
  phone TEXT,
  company TEXT,
  service TEXT NOT NULL,
  message TEXT NOT NULL,
  lang TEXT NOT NULL,                  -- language the visitor used, so staff can answer in it
  attachment_key TEXT,                 -- R2 key while the file is kept (see README, Retention)
  attachment_name TEXT,
  attachment_size INTEGER,
  attachment_type TEXT,
  attachment_sha256 TEXT,
  hold INTEGER NOT NULL DEFAULT 0,     -- 1: restricted (GDPR Art. 18): neither mailed nor purged
  hold_reason TEXT,
  delivery_status TEXT NOT NULL DEFAULT 'pending'
    CHECK (delivery_status IN
      ('pending', 'sent', 'delivered', 'bounced', 'failed', 'quarantined', 'dismissed')),
  delivery_attempts INTEGER NOT NULL DEFAULT 0, -- counted when claimed, under the current key
  first_attempt_at INTEGER,            -- ms; set when first claimed under the current key
  operator_retries INTEGER NOT NULL DEFAULT 0,  -- n of inquiry-<id>-r<n>; 0: inquiry-<id>
  reply_to_refused INTEGER NOT NULL DEFAULT 0,  -- 1: Resend refused reply_to; sent without it
  next_attempt_at INTEGER,             -- when a pending mail is due
  claimed_until INTEGER,               -- a sender's lease: others keep off until then
  claim_token TEXT,                    -- which sender holds the lease
  last_error TEXT,                     -- a code, never personal data
  sent_at INTEGER,                     -- ms; when Resend accepted it
  resend_id TEXT,                      -- Resend's e-mail id: what its webhook events name
  event_at INTEGER                     -- ms; the last webhook event applied (no older one regresses it)
);

INSERT INTO inquiries_new (id, created_at, name, email, email_key, phone, company, service,
  message, lang, attachment_key, attachment_name, attachment_size, attachment_type,
  attachment_sha256, hold, hold_reason, delivery_status, delivery_attempts, first_attempt_at,
  next_attempt_at, claimed_until, claim_token, last_error, sent_at, resend_id)
SELECT id, created_at, name, email, email_key, phone, company, service,
  message, lang, attachment_key, attachment_name, attachment_size, attachment_type,
  attachment_sha256, hold, hold_reason, delivery_status, delivery_attempts,
  -- The first attempt was made right after storing: the closest time the old rows know.
  CASE WHEN delivery_attempts > 0 THEN created_at END,
  next_attempt_at, claimed_until, claim_token, last_error, sent_at, resend_id
FROM inquiries;

DROP TABLE inquiries;
ALTER TABLE inquiries_new RENAME TO inquiries;

-- The purge walks this index from the oldest row: its cost grows with what expired.
CREATE INDEX inquiries_purge ON inquiries (created_at) WHERE hold = 0;
CREATE INDEX inquiries_email_key ON inquiries (email_key);
-- Scheduled sends: the due pending rows, in order.
CREATE INDEX inquiries_due ON inquiries (next_attempt_at) WHERE delivery_status = 'pending';
-- /health (any failed or bounced? the oldest pending?) and GET /admin/deliveries?status=S
-- (oldest first): one indexed read each, never a scan.
CREATE INDEX inquiries_status ON inquiries (delivery_status, created_at);
-- Webhook events name Resend's e-mail id.
CREATE INDEX inquiries_resend_id ON inquiries (resend_id) WHERE resend_id IS NOT NULL;
-- Files still kept: the scheduled run deletes those whose inquiry no longer needs them.
CREATE INDEX inquiries_files ON inquiries (sent_at) WHERE attachment_key IS NOT NULL;
