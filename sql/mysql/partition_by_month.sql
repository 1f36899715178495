-- Partition infra_metric_daily and infra_anomaly_scores by month of metric_date (guide
-- sections 8 and 11), for when a table passes ~1 M rows. Run once, in a quiet window:
--   mysql ... infra_monitor < sql/mysql/partition_by_month.sql
-- Everything before the first month lands in p_history; p_future catches later rows until
-- the maintenance step splits the next month out of it ahead of time:
--   ALTER TABLE infra_metric_daily REORGANIZE PARTITION p_future INTO (
--     PARTITION p202702 VALUES LESS THAN (TO_DAYS('2027-03-01')),
--     PARTITION p_future VALUES LESS THAN MAXVALUE);
-- Dropping a month of old data is then instant: ALTER TABLE ... DROP PARTITION p202501.
-- Both tables keep metric_date in every unique key (MySQL requires it for partitioning).
-- Edit the month list to start at your oldest month of interest.

ALTER TABLE infra_metric_daily
PARTITION BY RANGE (TO_DAYS(metric_date)) (
  PARTITION p_history VALUES LESS THAN (TO_DAYS('2026-11-01')),
  PARTITION p202611 VALUES LESS THAN (TO_DAYS('2026-12-01')),
  PARTITION p202612 VALUES LESS THAN (TO_DAYS('2027-01-01')),
  PARTITION p_future VALUES LESS THAN MAXVALUE
);

ALTER TABLE infra_anomaly_scores
PARTITION BY RANGE (TO_DAYS(metric_date)) (
  PARTITION p_history VALUES LESS THAN (TO_DAYS('2026-11-01')),
  PARTITION p202611 VALUES LESS THAN (TO_DAYS('2026-12-01')),
  PARTITION p202612 VALUES LESS THAN (TO_DAYS('2027-01-01')),
  PARTITION p_future VALUES LESS THAN MAXVALUE
);
