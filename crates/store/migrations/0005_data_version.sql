-- A counter per tenant, raised by every write transaction for that tenant, so that
-- computed views (statuses, roll-ups) can be cached and known to be current
-- by one primary-key read, whichever process made the change.
ALTER TABLE tenants ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
