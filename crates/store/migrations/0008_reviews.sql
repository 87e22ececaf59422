-- Service reviews (the Delivery Framework): one row per review, its steps'
-- content as a JSON document (exact decimals as strings, money in pence), and the
-- columns lists and the review schedule filter on.

CREATE TABLE service_reviews (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    service_id TEXT NOT NULL REFERENCES services(id),
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX service_reviews_service ON service_reviews (service_id);

-- Years between reviews of a service (3 to 5).
ALTER TABLE tenants ADD COLUMN review_cycle_years BIGINT NOT NULL DEFAULT 3;
