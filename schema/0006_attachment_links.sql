-- Attachments by link (README, Delivery): the mail may carry a link to the worker
-- instead of the file, and the link must point at the worker itself. This is the
-- origin (scheme, host, port) of the worker's own URL as the request that stored
-- the inquiry addressed it: the worker's address, not the visitor's data. NULL for
-- inquiries stored before, and without a file: those are mailed with the file inline.
ALTER TABLE inquiries ADD COLUMN worker_origin TEXT;
