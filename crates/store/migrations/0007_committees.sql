-- Committees: what each scrutinises (its portfolios' local outcomes and the
-- outcomes it names), so the One Report can be produced per committee.

CREATE TABLE committees (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE committee_portfolios (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    committee_id TEXT NOT NULL REFERENCES committees(id),
    portfolio_id TEXT NOT NULL REFERENCES portfolios(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (committee_id, portfolio_id)
);
CREATE INDEX committee_portfolios_portfolio ON committee_portfolios (portfolio_id);

CREATE TABLE committee_outcomes (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    committee_id TEXT NOT NULL REFERENCES committees(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (committee_id, outcome_id)
);
CREATE INDEX committee_outcomes_outcome ON committee_outcomes (outcome_id);
