-- Performance data: localities, indicators (linked to services and outcomes),
-- targets, measurements and benchmark sets. Values are exact decimal text.

CREATE TABLE localities (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE indicators (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    tier TEXT NOT NULL,
    unit TEXT NOT NULL,
    polarity TEXT NOT NULL,
    frequency TEXT NOT NULL,
    source TEXT NOT NULL,
    owner_id TEXT REFERENCES people(id),
    tolerance TEXT NOT NULL,
    band_low TEXT,
    band_high TEXT,
    by_locality BIGINT NOT NULL DEFAULT 0,
    deadline_days BIGINT NOT NULL DEFAULT 60,
    definition TEXT NOT NULL DEFAULT '',
    benchmark_typology TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE indicator_services (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    indicator_id TEXT NOT NULL REFERENCES indicators(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (indicator_id, service_id)
);
CREATE INDEX indicator_services_service ON indicator_services (service_id);

CREATE TABLE indicator_outcomes (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    indicator_id TEXT NOT NULL REFERENCES indicators(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (indicator_id, outcome_id)
);
CREATE INDEX indicator_outcomes_outcome ON indicator_outcomes (outcome_id);

CREATE TABLE targets (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    indicator_id TEXT NOT NULL REFERENCES indicators(id),
    period TEXT NOT NULL,
    target TEXT,
    band_low TEXT,
    band_high TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    UNIQUE (indicator_id, period)
);
CREATE INDEX targets_tenant ON targets (tenant_id);

-- locality is a locality code, '' for the whole area (so the key is never NULL).
CREATE TABLE measurements (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    indicator_id TEXT NOT NULL REFERENCES indicators(id),
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    locality TEXT NOT NULL DEFAULT '',
    value TEXT,
    missing_reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    UNIQUE (indicator_id, period, locality)
);
CREATE INDEX measurements_tenant ON measurements (tenant_id, indicator_id, period_start);

CREATE TABLE benchmark_groups (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    typology TEXT NOT NULL,
    grp TEXT NOT NULL,
    area TEXT NOT NULL,
    PRIMARY KEY (tenant_id, typology, area)
);

CREATE TABLE benchmark_values (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    indicator_id TEXT NOT NULL REFERENCES indicators(id),
    period TEXT NOT NULL,
    area TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (indicator_id, period, area)
);
CREATE INDEX benchmark_values_tenant ON benchmark_values (tenant_id);
