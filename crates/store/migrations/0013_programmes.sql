-- The transformation programme (PMO): programmes, their workstreams (themes,
-- unique by code within a programme) and initiatives. An initiative's stage,
-- RAG, dates, budget and people are columns; its scope, commentary, business
-- case, risk codes and benefit codes are a JSON document; its outcomes and
-- services are link tables (so a linked outcome or service is not deleted).

CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    sponsor TEXT,
    lead TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT,
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE workstreams (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    lead TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (programme_id, code)
);

CREATE TABLE initiatives (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    workstream_id TEXT NOT NULL REFERENCES workstreams(id),
    title TEXT NOT NULL,
    stage TEXT NOT NULL,
    rag TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT,
    budget_pence BIGINT,
    sponsor TEXT,
    lead TEXT,
    body TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX initiatives_workstream ON initiatives (workstream_id);

CREATE TABLE initiative_outcomes (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (initiative_id, outcome_id)
);
CREATE INDEX initiative_outcomes_outcome ON initiative_outcomes (outcome_id);

CREATE TABLE initiative_services (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (initiative_id, service_id)
);
CREATE INDEX initiative_services_service ON initiative_services (service_id);
