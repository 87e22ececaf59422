-- goldthread foundation schema. Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Ids are UUID v7 text; timestamps are RFC 3339 UTC text (sortable); dates ISO text;
-- money is BIGINT pence; exact decimals are text.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    area_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- Login identities. A person's details within a council live in `people`.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    is_operator BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, user_id)
);
CREATE INDEX people_user ON people (user_id);

CREATE TABLE outcomes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE outcome_links (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    parent_id TEXT NOT NULL REFERENCES outcomes(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (outcome_id, parent_id)
);
CREATE INDEX outcome_links_parent ON outcome_links (parent_id);

CREATE TABLE portfolios (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    outcome_leader_id TEXT REFERENCES people(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE portfolio_outcomes (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    portfolio_id TEXT NOT NULL REFERENCES portfolios(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (portfolio_id, outcome_id)
);
CREATE INDEX portfolio_outcomes_outcome ON portfolio_outcomes (outcome_id);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    portfolio_id TEXT NOT NULL REFERENCES portfolios(id),
    lead_id TEXT REFERENCES people(id),
    statutory_basis TEXT NOT NULL,
    grouping TEXT NOT NULL,
    delivery_model TEXT NOT NULL,
    gross_cost_pence BIGINT NOT NULL,
    income_pence BIGINT NOT NULL,
    net_budget_pence BIGINT NOT NULL,
    fte TEXT NOT NULL,
    next_review TEXT,
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX services_portfolio ON services (portfolio_id);

CREATE TABLE contributions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    strength TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (service_id, outcome_id)
);
CREATE INDEX contributions_outcome ON contributions (outcome_id);

CREATE TABLE raci (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    raci TEXT NOT NULL,
    PRIMARY KEY (outcome_id, person_id)
);

CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    owner_id TEXT REFERENCES people(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE plan_outcomes (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    plan_id TEXT NOT NULL REFERENCES plans(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (plan_id, outcome_id)
);

-- Append-only: triggers (per backend) refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    tenant_id TEXT REFERENCES tenants(id),
    actor_id TEXT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    entity_code TEXT,
    before_json TEXT,
    after_json TEXT,
    context TEXT
);
CREATE INDEX audit_log_entity ON audit_log (tenant_id, entity_type, entity_id);
CREATE INDEX audit_log_at ON audit_log (tenant_id, at);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    tenant_id TEXT REFERENCES tenants(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    tenant_id TEXT REFERENCES tenants(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);

CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL,
    succeeded BIGINT NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);
