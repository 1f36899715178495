-- Archive tables for `infra-monitor archive --before DATE` (guide section 11): the columns of
-- the four data tables, without their keys, with an index on the date.
CREATE TABLE infra_metric_daily_archive ENGINE = InnoDB AS SELECT * FROM infra_metric_daily WHERE 1 = 0;
CREATE TABLE infra_anomaly_scores_archive ENGINE = InnoDB AS SELECT * FROM infra_anomaly_scores WHERE 1 = 0;
CREATE TABLE infra_health_scores_archive ENGINE = InnoDB AS SELECT * FROM infra_health_scores WHERE 1 = 0;
CREATE TABLE infra_anomaly_alerts_archive ENGINE = InnoDB AS SELECT * FROM infra_anomaly_alerts WHERE 1 = 0;
CREATE INDEX ix_metric_daily_archive_date ON infra_metric_daily_archive (metric_date);
CREATE INDEX ix_anomaly_scores_archive_date ON infra_anomaly_scores_archive (metric_date);
CREATE INDEX ix_health_scores_archive_date ON infra_health_scores_archive (metric_date);
CREATE INDEX ix_anomaly_alerts_archive_date ON infra_anomaly_alerts_archive (alert_date);
