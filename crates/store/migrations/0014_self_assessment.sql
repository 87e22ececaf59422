-- Best Value self-assessment: the themes a council assesses itself against
-- (none configured = the default Best Value themes) and each year's score per
-- theme, with its evidence and improvement actions as a JSON document and the
-- outcomes it concerns as links.

CREATE TABLE assessment_themes (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE self_assessments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    year TEXT NOT NULL,
    theme TEXT NOT NULL,
    score BIGINT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, year, theme),
    CHECK (score BETWEEN 1 AND 5)
);

CREATE TABLE self_assessment_outcomes (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    assessment_id TEXT NOT NULL REFERENCES self_assessments(id),
    outcome_id TEXT NOT NULL REFERENCES outcomes(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, outcome_id)
);
CREATE INDEX self_assessment_outcomes_outcome ON self_assessment_outcomes (outcome_id);
