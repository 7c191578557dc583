-- Query table for GET /api/v1/commands, folded from CommandEntity events by CommandProjection.
-- It takes one write per command event (three or more per command under a burst), so it keeps
-- only the indexes the list queries need. Free text (name, target, keys) is TEXT, not VARCHAR(n):
-- a value the entity accepted must never stop the projection on a length check. Indexed text
-- columns compare bytewise (COLLATE "C"): cheaper index maintenance than a locale collation, and
-- the same id order (hence the same pages) on every server whatever its locale.
CREATE TABLE commands (
  id VARCHAR(64) COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  status VARCHAR(16) COLLATE "C" NOT NULL,
  target TEXT NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  max_attempts INT NOT NULL,
  input JSONB,
  output JSONB,
  error TEXT,
  waiting_for TEXT,
  idempotency_key TEXT,
  parent_id VARCHAR(64),
  created_at TIMESTAMPTZ NOT NULL,
  scheduled_at TIMESTAMPTZ,
  started_at TIMESTAMPTZ,
  next_attempt_at TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL,
  -- Sequence number of the last event folded into the row: an event at or below it is a replay
  -- and changes nothing, so the fold is idempotent even if offsets are ever reset.
  seq_nr BIGINT NOT NULL
);

-- ?status=s[&after=id] ordered by id; ?name=n[&after=id] ordered by id; counts per status.
CREATE INDEX commands_status_id_idx ON commands (status, id);
CREATE INDEX commands_name_id_idx ON commands (name, id);
-- Retention and "newest first" scans.
CREATE INDEX commands_created_at_idx ON commands (created_at);
