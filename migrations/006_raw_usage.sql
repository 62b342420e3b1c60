-- The provider's usage object exactly as it was sent, for audits and re-pricing (provider contract issue).
ALTER TABLE tg_spend_logs ADD COLUMN IF NOT EXISTS raw_usage jsonb;
