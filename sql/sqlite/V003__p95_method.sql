-- How each row's p95 was computed: "samples" (the day's samples), "cloudwatch" (CloudWatch's
-- own p95) or "averages_<N>s" (from CloudWatch's N-second averages where it has no p95).
-- Rows written before this column existed were computed from samples.
ALTER TABLE infra_metric_daily ADD COLUMN p95_method TEXT NOT NULL DEFAULT 'samples';
ALTER TABLE infra_metric_daily_archive ADD COLUMN p95_method TEXT NOT NULL DEFAULT 'samples';
