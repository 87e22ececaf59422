-- The risk register: each risk's scores (likelihood and impact, 1-5, inherent,
-- residual and target) and status as columns for filtering; its cause, event,
-- effect, programme, review and controls as a JSON document; its outcomes and
-- services as link tables (so a linked outcome or service is not deleted).
-- Each review of a risk keeps the scores it recorded, for the trajectory; the
-- appetite is the highest acceptable residual score per category.

CREATE TABLE risks (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    owner TEXT,
    inherent_likelihood BIGINT NOT NULL,
    inherent_impact BIGINT NOT NULL,
    residual_likelihood BIGINT NOT NULL,
    residual_impact BIGINT NOT NULL,
    target_likelihood BIGINT NOT NULL,
    target_impact BIGINT NOT NULL,
    review_date TEXT,
    body TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE risk_outcomes (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    risk_id TEXT NOT NULL REFERENCES risks(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (risk_id, outcome_id)
);
CREATE INDEX risk_outcomes_outcome ON risk_outcomes (outcome_id);

CREATE TABLE risk_services (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    risk_id TEXT NOT NULL REFERENCES risks(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (risk_id, service_id)
);
CREATE INDEX risk_services_service ON risk_services (service_id);

CREATE TABLE risk_reviews (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    risk_id TEXT NOT NULL REFERENCES risks(id),
    reviewed_on TEXT NOT NULL,
    inherent_likelihood BIGINT NOT NULL,
    inherent_impact BIGINT NOT NULL,
    residual_likelihood BIGINT NOT NULL,
    residual_impact BIGINT NOT NULL,
    target_likelihood BIGINT NOT NULL,
    target_impact BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (risk_id, reviewed_on)
);

CREATE TABLE risk_appetite (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    category TEXT NOT NULL,
    appetite BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, category),
    CHECK (appetite BETWEEN 1 AND 25)
);
