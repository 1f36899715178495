-- Archive tables for `infra-monitor archive --before DATE` (guide section 11): the same
-- columns as the four data tables, without their keys, so archived rows can be kept apart
-- and queried or exported later.
CREATE TABLE infra_metric_daily_archive AS SELECT * FROM infra_metric_daily WHERE 0;
CREATE TABLE infra_anomaly_scores_archive AS SELECT * FROM infra_anomaly_scores WHERE 0;
CREATE TABLE infra_health_scores_archive AS SELECT * FROM infra_health_scores WHERE 0;
CREATE TABLE infra_anomaly_alerts_archive AS SELECT * FROM infra_anomaly_alerts WHERE 0;
CREATE INDEX ix_metric_daily_archive_date ON infra_metric_daily_archive (metric_date);
CREATE INDEX ix_anomaly_scores_archive_date ON infra_anomaly_scores_archive (metric_date);
CREATE INDEX ix_health_scores_archive_date ON infra_health_scores_archive (metric_date);
CREATE INDEX ix_anomaly_alerts_archive_date ON infra_anomaly_alerts_archive (alert_date);
