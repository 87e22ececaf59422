-- Engagement: consultations and their published responses ("you said, we did"),
-- linked to the services and outcomes they concern.

CREATE TABLE consultations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    locality TEXT NOT NULL DEFAULT '',
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    responses BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE consultation_services (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    consultation_id TEXT NOT NULL REFERENCES consultations(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (consultation_id, service_id)
);
CREATE INDEX consultation_services_service ON consultation_services (service_id);

CREATE TABLE consultation_outcomes (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    consultation_id TEXT NOT NULL REFERENCES consultations(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (consultation_id, outcome_id)
);
CREATE INDEX consultation_outcomes_outcome ON consultation_outcomes (outcome_id);

CREATE TABLE consultation_responses (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    consultation_id TEXT NOT NULL REFERENCES consultations(id),
    you_said TEXT NOT NULL,
    we_did TEXT NOT NULL,
    response_date TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (consultation_id, you_said)
);
