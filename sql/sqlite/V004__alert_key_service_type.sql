-- The natural key of an alert includes its service, as every other table's does: an RDS and a
-- Redis instance may share an identifier. SQLite cannot change a table's UNIQUE constraint in
-- place, so the table is rebuilt with the same columns, rows and ids. The new key is looser than
-- the old one: every existing row fits it. The view over the table is dropped first and made
-- again last (SQLite checks views when a table is renamed).
DROP VIEW IF EXISTS v_active_anomaly_alerts;
CREATE TABLE infra_anomaly_alerts_v4 (
  id                       INTEGER PRIMARY KEY,
  alert_date               TEXT    NOT NULL,
  service_type             TEXT    NOT NULL,
  instance_id              TEXT    NOT NULL,
  metric_name              TEXT    NOT NULL,
  alert_type               TEXT    NOT NULL CHECK (alert_type IN
                             ('ZSCORE', 'WE_RULE', 'ROC', 'THRESHOLD', 'BASELINE_SHIFT', 'HEALTH', 'FORECAST')),
  severity                 TEXT    NOT NULL CHECK (severity IN ('EMERGENCY', 'CRITICAL', 'WARNING', 'INFO')),
  value                    REAL,
  baseline_mean            REAL,
  baseline_sigma           REAL,
  z_score                  REAL,
  we_rules                 TEXT,
  roc_pct                  REAL,
  anomaly_score            REAL,
  consecutive_anomaly_days INTEGER NOT NULL DEFAULT 0,
  message                  TEXT    NOT NULL,
  recommended_action       TEXT,
  acknowledged             INTEGER NOT NULL DEFAULT 0,
  acknowledged_by          TEXT,
  acknowledged_at          TEXT,
  notes                    TEXT,
  created_at               TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  updated_at               TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  UNIQUE (alert_date, service_type, instance_id, metric_name, alert_type)
);
INSERT INTO infra_anomaly_alerts_v4 SELECT id, alert_date, service_type, instance_id, metric_name,
  alert_type, severity, value, baseline_mean, baseline_sigma, z_score, we_rules, roc_pct,
  anomaly_score, consecutive_anomaly_days, message, recommended_action, acknowledged,
  acknowledged_by, acknowledged_at, notes, created_at, updated_at FROM infra_anomaly_alerts;
DROP TABLE infra_anomaly_alerts;
ALTER TABLE infra_anomaly_alerts_v4 RENAME TO infra_anomaly_alerts;
CREATE INDEX ix_alerts_open ON infra_anomaly_alerts (acknowledged, alert_date);

-- Unacknowledged alerts, newest first, then most severe, then highest score.
CREATE VIEW v_active_anomaly_alerts AS
SELECT a.*,
       CASE a.severity WHEN 'EMERGENCY' THEN 1 WHEN 'CRITICAL' THEN 2
                       WHEN 'WARNING' THEN 3 ELSE 4 END AS severity_rank
FROM infra_anomaly_alerts a
WHERE a.acknowledged = 0
ORDER BY a.alert_date DESC, severity_rank ASC, a.anomaly_score DESC;
