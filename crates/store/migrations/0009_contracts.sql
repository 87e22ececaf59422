-- Contracts: each service's contracts and agreements with partners (the
-- commissioning view: partner, contract dates, value). Dates are YYYY-MM-DD
-- text, so that text order is date order; the value is the whole term's, in pence.

CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    service_id TEXT NOT NULL REFERENCES services(id),
    partner TEXT NOT NULL,
    title TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    value_pence BIGINT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code),
    CHECK (end_date >= start_date),
    CHECK (value_pence >= 0)
);
CREATE INDEX contracts_service ON contracts (service_id);
