-- When Resend accepted the mail: written only with REQUIRED_WRITES=1.
ALTER TABLE inquiries ADD COLUMN sent_at INTEGER;
