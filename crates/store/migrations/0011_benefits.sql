-- Benefits and savings (DOMAIN §5 "Benefit", §6 "Medium-term financial plan"):
-- the benefits register, each benefit's planned and realised money by
-- financial year, and the medium-term funding gap by financial year.
-- Financial years are stored as the calendar year they start in (2024 =
-- 2024/25), so that number order is year order; money is in pence.

CREATE TABLE benefits (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    owner_id TEXT REFERENCES people(id),
    source TEXT NOT NULL,
    source_ref TEXT NOT NULL DEFAULT '',
    portfolio_id TEXT NOT NULL REFERENCES portfolios(id),
    -- The line the benefit is tracked on within its portfolio (e.g. a 2018
    -- directorate); empty for the portfolio's own line.
    savings_group TEXT NOT NULL DEFAULT '',
    baseline TEXT NOT NULL DEFAULT '',
    measure_id TEXT REFERENCES indicators(id),
    status TEXT NOT NULL,
    confidence TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, code),
    CHECK (kind IN ('cashable', 'non-cashable', 'non-financial')),
    CHECK (kind <> 'non-financial' OR measure_id IS NOT NULL)
);
CREATE INDEX benefits_portfolio ON benefits (portfolio_id);
CREATE INDEX benefits_owner ON benefits (owner_id);
CREATE INDEX benefits_measure ON benefits (measure_id);

CREATE TABLE benefit_profiles (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    benefit_id TEXT NOT NULL REFERENCES benefits(id),
    financial_year BIGINT NOT NULL,
    planned_pence BIGINT NOT NULL,
    -- NULL until the year's realised figure is reported.
    realised_pence BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (benefit_id, financial_year),
    CHECK (planned_pence >= 0),
    CHECK (realised_pence IS NULL OR realised_pence >= 0)
);
CREATE INDEX benefit_profiles_tenant ON benefit_profiles (tenant_id, financial_year);

-- The budget gap of each year of the medium-term financial plan (negative for
-- a surplus); the note says where the figure comes from, and "illustrative"
-- when it is.
CREATE TABLE budget_gap (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    financial_year BIGINT NOT NULL,
    gap_pence BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, financial_year)
);
