-- The technical log the contract requires per request, in its own database:
-- only for the benchmark's "baseline with the required writes" (REQUIRED_WRITES=1).
CREATE TABLE tech_log (
  minute INTEGER NOT NULL,
  network TEXT NOT NULL,
  browser TEXT,
  referrer TEXT,
  outcome TEXT NOT NULL
);
