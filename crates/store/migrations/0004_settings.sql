-- Each tenant's own choices for the performance rules.
CREATE TABLE tenant_settings (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    red_periods BIGINT NOT NULL DEFAULT 2,
    stable_pct TEXT NOT NULL DEFAULT '1',
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
