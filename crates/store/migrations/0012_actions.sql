-- Action plans (DOMAIN §5, "Action"): a plan answers recommendations with
-- actions, each with its timescale and leads as written, an owner, a due date,
-- a status and percentage complete, links to outcomes and services, risk codes
-- (text until a risk register can check them) and dated progress notes. Dates
-- are YYYY-MM-DD text, so that text order is date order. Positions keep the
-- order recommendations, actions and notes were written in.

CREATE TABLE action_plans (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    owner_id TEXT REFERENCES people(id),
    approved TEXT,
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX action_plans_owner ON action_plans (owner_id);

CREATE TABLE recommendations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    plan_id TEXT NOT NULL REFERENCES action_plans(id),
    code TEXT NOT NULL,
    body TEXT NOT NULL,
    position BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (plan_id, code)
);

CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    plan_id TEXT NOT NULL REFERENCES action_plans(id),
    recommendation_id TEXT NOT NULL REFERENCES recommendations(id),
    title TEXT NOT NULL,
    leads TEXT NOT NULL DEFAULT '',
    owner_id TEXT REFERENCES people(id),
    due TEXT,
    timescale TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    percent_complete BIGINT NOT NULL,
    risks TEXT NOT NULL DEFAULT '',
    position BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code),
    CHECK (status IN ('not-started', 'in-progress', 'complete', 'cancelled')),
    CHECK (percent_complete >= 0 AND percent_complete <= 100),
    CHECK (status <> 'complete' OR percent_complete = 100),
    CHECK (status <> 'not-started' OR percent_complete = 0)
);
CREATE INDEX actions_plan ON actions (plan_id);
CREATE INDEX actions_recommendation ON actions (recommendation_id);
CREATE INDEX actions_owner ON actions (owner_id);

-- An action's outcomes and services: each row links to exactly one of them.
CREATE TABLE action_links (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    action_id TEXT NOT NULL REFERENCES actions(id),
    outcome_id TEXT REFERENCES outcomes(id),
    service_id TEXT REFERENCES services(id),
    position BIGINT NOT NULL,
    CHECK ((outcome_id IS NULL) <> (service_id IS NULL)),
    UNIQUE (action_id, outcome_id),
    UNIQUE (action_id, service_id)
);
CREATE INDEX action_links_outcome ON action_links (outcome_id);
CREATE INDEX action_links_service ON action_links (service_id);

CREATE TABLE action_progress (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    action_id TEXT NOT NULL REFERENCES actions(id),
    note_date TEXT NOT NULL,
    by_name TEXT NOT NULL,
    body TEXT NOT NULL,
    position BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX action_progress_action ON action_progress (action_id);
