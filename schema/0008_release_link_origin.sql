-- A quarantined inquiry keeps the worker's origin as its request reached it, for its
-- release link in the digest, as an inquiry with a file already does for its file link.
-- Until now the digest used one origin for every link, that of the last quarantined
-- request. Quarantined inquiries without an origin take that one, and the single value goes.
UPDATE inquiries
SET worker_origin = (SELECT value FROM worker_state WHERE name = 'public_origin')
WHERE delivery_status = 'quarantined' AND worker_origin IS NULL;
DELETE FROM worker_state WHERE name = 'public_origin';
