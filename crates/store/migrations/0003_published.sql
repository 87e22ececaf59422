-- Published (frozen) statuses: once a period is published, its statuses and their
-- explanations (with the thresholds used) stay as published; later changes are
-- shown beside them as restatements.
CREATE TABLE publications (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    period TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    UNIQUE (tenant_id, period)
);

CREATE TABLE published_statuses (
    publication_id TEXT NOT NULL REFERENCES publications(id),
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    indicator_id TEXT NOT NULL REFERENCES indicators(id),
    period TEXT NOT NULL,
    locality TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (tenant_id, indicator_id, period, locality)
);

CREATE TABLE published_outcomes (
    publication_id TEXT NOT NULL REFERENCES publications(id),
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    outcome TEXT NOT NULL,
    status TEXT NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (publication_id, outcome)
);
