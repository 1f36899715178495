-- Archive tables for `infra-monitor archive --before DATE` (guide section 11): the columns of
-- the four data tables, without their keys (a day archived twice must not collide), with an
-- index on the date.
CREATE TABLE IF NOT EXISTS infra_metric_daily_archive (KEY ix_metric_daily_archive_date (metric_date))
  ENGINE = InnoDB AS SELECT * FROM infra_metric_daily WHERE 1 = 0;
CREATE TABLE IF NOT EXISTS infra_anomaly_scores_archive (KEY ix_anomaly_scores_archive_date (metric_date))
  ENGINE = InnoDB AS SELECT * FROM infra_anomaly_scores WHERE 1 = 0;
CREATE TABLE IF NOT EXISTS infra_health_scores_archive (KEY ix_health_scores_archive_date (metric_date))
  ENGINE = InnoDB AS SELECT * FROM infra_health_scores WHERE 1 = 0;
CREATE TABLE IF NOT EXISTS infra_anomaly_alerts_archive (KEY ix_anomaly_alerts_archive_date (alert_date))
  ENGINE = InnoDB AS SELECT * FROM infra_anomaly_alerts WHERE 1 = 0;
