-- Inquiries: what the visitor sent, and the state of its one e-mail.
-- By design there is no IP, user agent or referrer here (privacy notice: technical
-- data are never combined with form data).
CREATE TABLE inquiries (
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
  attachment_key TEXT,                 -- R2 key while the file is kept (removed once mailed)
  attachment_name TEXT,
  attachment_size INTEGER,
  attachment_type TEXT,
  attachment_sha256 TEXT,
  hold INTEGER NOT NULL DEFAULT 0,     -- 1: restricted / kept beyond retention
  hold_reason TEXT,
  delivery_status TEXT NOT NULL DEFAULT 'pending'
    CHECK (delivery_status IN ('pending', 'sent', 'failed')),
  delivery_attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,             -- when a pending mail is due
  claimed_until INTEGER,               -- a sender's lease: others keep off until then
  claim_token TEXT,                    -- which sender holds the lease
  last_error TEXT,                     -- a code, never personal data
  sent_at INTEGER,
  resend_id TEXT
);

-- The purge walks this index from the oldest row: its cost grows with what expired.
CREATE INDEX inquiries_purge ON inquiries (created_at) WHERE hold = 0;
CREATE INDEX inquiries_email_key ON inquiries (email_key);
CREATE INDEX inquiries_due ON inquiries (next_attempt_at) WHERE delivery_status = 'pending';

-- Technical log: its own table, nothing in common with inquiries (no id, no key).
CREATE TABLE tech_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,                 -- milliseconds since the epoch, UTC
  ip TEXT,                             -- truncated (/24, /48) unless LOG_IP=full
  browser TEXT,                        -- family and major version only
  referrer TEXT,                       -- origin and path only
  outcome TEXT NOT NULL                -- stored, honeypot or an error code
);
CREATE INDEX tech_log_at ON tech_log (at);
