-- The technical log now lives in its own database (binding LOG_DB, migrations in
-- schema-log/): no query can join it to the inquiries, and a flood of logged
-- requests can no longer fill this database. Its old rows are not carried over.
DROP TABLE IF EXISTS tech_log;
