-- Organisation design (DOMAIN §6): pay grades, the four structure states
-- (current, immediate, transition, future) with their details, the posts of
-- each state (a post's code is unique within its state; reports-to is the
-- code of a post of the same state), the services each post manages (a link
-- table, so a managed service is not deleted), each state's stated
-- adjustments, and the council's on-cost rate. FTE and rates are exact
-- decimals kept as text; money is pence.

CREATE TABLE org_settings (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    on_cost_rate TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

CREATE TABLE grades (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    min_salary_pence BIGINT NOT NULL,
    max_salary_pence BIGINT NOT NULL,
    on_cost_rate TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE structure_states (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    state TEXT NOT NULL,
    effective_date TEXT,
    description TEXT NOT NULL DEFAULT '',
    actual_cost_pence BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, state)
);

CREATE TABLE posts (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    state TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    tier BIGINT NOT NULL,
    grade_id TEXT NOT NULL REFERENCES grades(id),
    fte TEXT NOT NULL,
    holder_status TEXT NOT NULL,
    reports_to TEXT,
    portfolio TEXT NOT NULL DEFAULT '',
    extra_duties TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, state, code)
);
CREATE INDEX posts_grade ON posts (grade_id);

CREATE TABLE post_services (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    post_id TEXT NOT NULL REFERENCES posts(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (post_id, service_id)
);
CREATE INDEX post_services_service ON post_services (service_id);

CREATE TABLE org_adjustments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    state TEXT NOT NULL,
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    grade_id TEXT NOT NULL REFERENCES grades(id),
    fte TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX org_adjustments_grade ON org_adjustments (grade_id);
