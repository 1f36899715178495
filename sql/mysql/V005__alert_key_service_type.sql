-- The natural key of an alert includes its service, as every other table's does: an RDS and a
-- Redis instance may share an identifier. One ALTER swaps the key (InnoDB builds the new one
-- before dropping the old); run again, it rebuilds the same key. The new key is looser than
-- the old one: every existing row fits it.
ALTER TABLE infra_anomaly_alerts
  DROP INDEX uk_alerts,
  ADD UNIQUE KEY uk_alerts (alert_date, service_type, instance_id, metric_name, alert_type);
