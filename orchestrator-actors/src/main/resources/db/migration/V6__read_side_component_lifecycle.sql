-- What ComponentEntity observes about a component, for GET /api/v1/components[?state=].
-- state, desired_state, last_seen and error exist since V3 (filled from now on).
ALTER TABLE components ADD COLUMN health JSONB;
ALTER TABLE components ADD COLUMN unreachable BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE components ADD COLUMN breaker VARCHAR(16) NOT NULL DEFAULT 'CLOSED';
ALTER TABLE components ADD COLUMN fault VARCHAR(16) NOT NULL DEFAULT 'NONE';
