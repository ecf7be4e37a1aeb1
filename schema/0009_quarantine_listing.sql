-- Quarantined inquiries no digest has listed yet, oldest first: the spam purge keeps
-- them past SPAM_RETENTION_DAYS (none is deleted before a digest listed it) and, in a
-- flood, deletes the oldest of them beyond a fixed number; this index finds and counts
-- them without reading the other rows. The digest reads them newest first on it too.
CREATE INDEX inquiries_unlisted ON inquiries (created_at)
  WHERE delivery_status = 'quarantined' AND digested_at IS NULL;
