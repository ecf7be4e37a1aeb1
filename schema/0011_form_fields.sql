-- The company's own fields (the form definition's `fields`): their values of one
-- inquiry as one JSON object, {"quantity": 12, "deadline": "2026-03-31", ...}.
-- One column, not a table of values: the values are written, read, mailed,
-- exported, rectified, erased and purged only with their inquiry, never queried
-- by field, so they live and die in the inquiry's own row; adding a field to
-- the form needs no migration, and erasure and the purge need no second statement.
-- NULL: no own fields.
ALTER TABLE inquiries ADD COLUMN extra_fields TEXT;
