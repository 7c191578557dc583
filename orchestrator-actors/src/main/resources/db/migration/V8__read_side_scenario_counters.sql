-- What GET /api/v1/scenarios shows that V7 does not keep: the counters of ScenarioView, the ids of
-- the runs under way (running stays their number), and what GET /api/v1/runs shows of a run.
ALTER TABLE scenarios ADD COLUMN succeeded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scenarios ADD COLUMN failed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scenarios ADD COLUMN executions_since_ack BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scenarios ADD COLUMN running_ids TEXT[] NOT NULL DEFAULT '{}';

ALTER TABLE scenario_runs ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scenario_runs ADD COLUMN trigger_source TEXT;

-- GET /api/v1/runs without filters, newest first; the id breaks ties between runs created in the
-- same microsecond, so that the pages of a cursor neither skip nor repeat a run.
CREATE INDEX scenario_runs_created_id_idx ON scenario_runs (created_at DESC, id DESC);
