-- The technical log, in a D1 database of its own (binding LOG_DB): no query can
-- join it to the inquiries, and however full it gets, inquiries are still stored.
--
-- Nothing here can pair a row with an inquiry:
-- - `minute` is the request's time cut to the minute (seconds and ms zero);
--   inquiries keep theirs to the millisecond.
-- - WITHOUT ROWID and keyed by (minute, network, slot) with a random `slot`:
--   there is no rowid or insertion order, so the order of rows within a minute
--   says nothing about the order of requests (or of inquiries).
-- - No id or column of the inquiries, and never written in a batch with them.
--
-- Bounded: at most 10 request rows per minute and network; the rest of that
-- minute from that network is counted in one row with slot 0 (outcome
-- 'suppressed', `count` requests). src/store/log.ts writes both with one statement.
CREATE TABLE tech_log (
  minute INTEGER NOT NULL,             -- milliseconds since the epoch, UTC, a whole minute
  network TEXT NOT NULL,               -- IPv4 /24 or IPv6 /48; '' when the request had none
  slot INTEGER NOT NULL,               -- random per row; 0 for the minute's 'suppressed' row
  ip TEXT,                             -- the whole address, only with LOG_IP=full
  browser TEXT,                        -- family and major version only
  referrer TEXT,                       -- origin and path only
  outcome TEXT NOT NULL,               -- stored, honeypot, an error code, or suppressed
  count INTEGER NOT NULL DEFAULT 1,    -- requests this row stands for (> 1 only when suppressed)
  PRIMARY KEY (minute, network, slot)
) WITHOUT ROWID;
