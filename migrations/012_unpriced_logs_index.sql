-- Unpriced traffic (a successful request the gateway had no price for: recorded at 0 with
-- pricing_source 'unpriced') must never look free in reports. GET /spend/unpriced counts it per
-- model group for any range; this partial index holds only those rows, so the count costs what
-- the unpriced traffic costs, not a scan of every log in the range.
CREATE INDEX IF NOT EXISTS tg_spend_logs_unpriced ON tg_spend_logs (start_time DESC) WHERE pricing_source = 'unpriced';
