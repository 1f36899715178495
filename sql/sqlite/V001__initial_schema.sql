-- infra-monitor schema for SQLite, version 1: the guide's six tables and the active-alerts
-- view. Every table has a natural unique key, so every write is an idempotent upsert.
-- Dates are ISO text (YYYY-MM-DD), timestamps UTC text (YYYY-MM-DD HH:MM:SS).

CREATE TABLE infra_fleet_inventory (
  id                   INTEGER PRIMARY KEY,
  service_type         TEXT    NOT NULL,
  instance_id          TEXT    NOT NULL,
  instance_name        TEXT,
  instance_class       TEXT,
  engine               TEXT,
  region               TEXT,
  allocated_storage_gb REAL,
  max_memory_bytes     REAL,
  tags                 TEXT,               -- JSON object
  status               TEXT    NOT NULL DEFAULT 'ACTIVE'
                       CHECK (status IN ('ACTIVE', 'DECOMMISSIONED')),
  source               TEXT    NOT NULL DEFAULT 'manual',
  first_seen           TEXT    NOT NULL,
  last_seen            TEXT    NOT NULL,
  created_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  updated_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  UNIQUE (service_type, instance_id)
);
CREATE INDEX ix_inventory_status ON infra_fleet_inventory (status, service_type);
-- serves the "newest day seen for this source" lookups of the inventory upsert
CREATE INDEX ix_inventory_source_seen ON infra_fleet_inventory (service_type, source, last_seen);

CREATE TABLE infra_metric_daily (
  id               INTEGER PRIMARY KEY,
  metric_date      TEXT    NOT NULL,
  service_type     TEXT    NOT NULL,
  instance_id      TEXT    NOT NULL,
  metric_name      TEXT    NOT NULL,
  unit             TEXT,
  avg_value        REAL    NOT NULL,
  min_value        REAL    NOT NULL,
  max_value        REAL    NOT NULL,
  p95_value        REAL    NOT NULL,
  sample_count     INTEGER NOT NULL,
  expected_samples INTEGER NOT NULL,
  source           TEXT    NOT NULL,
  created_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  updated_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  UNIQUE (metric_date, service_type, instance_id, metric_name)
);
CREATE INDEX ix_metric_daily_series ON infra_metric_daily (service_type, instance_id, metric_name, metric_date);

CREATE TABLE infra_anomaly_scores (
  id                 INTEGER PRIMARY KEY,
  metric_date        TEXT    NOT NULL,
  service_type       TEXT    NOT NULL,
  instance_id        TEXT    NOT NULL,
  metric_name        TEXT    NOT NULL,
  spc_stat           TEXT    NOT NULL,
  value              REAL    NOT NULL,
  rolling_mean_14d   REAL,
  rolling_std_14d    REAL,
  sigma              REAL,
  baseline_days      INTEGER NOT NULL,
  z_score            REAL,
  we_rules           TEXT,
  roc_pct            REAL,
  anomaly_score      REAL,
  severity           TEXT CHECK (severity IN ('NORMAL', 'INFO', 'WARNING', 'CRITICAL')),
  is_baseline_period INTEGER NOT NULL,
  score_status       TEXT    NOT NULL CHECK (score_status IN ('SCORED', 'BASELINE', 'LOW_COVERAGE')),
  created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  updated_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  UNIQUE (metric_date, service_type, instance_id, metric_name)
);
CREATE INDEX ix_anomaly_scores_series ON infra_anomaly_scores (service_type, instance_id, metric_name, metric_date);

CREATE TABLE infra_health_scores (
  id                 INTEGER PRIMARY KEY,
  metric_date        TEXT    NOT NULL,
  service_type       TEXT    NOT NULL,
  instance_id        TEXT    NOT NULL,
  cpu_score          REAL,
  memory_score       REAL,
  storage_score      REAL,
  connections_score  REAL,
  latency_score      REAL,
  throughput_score   REAL,
  errors_score       REAL,
  health_score       REAL,
  grade              TEXT CHECK (grade IN ('A', 'B', 'C', 'D', 'F')),
  trend_direction    TEXT CHECK (trend_direction IN ('IMPROVING', 'STABLE', 'DEGRADING')),
  created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  updated_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  UNIQUE (metric_date, service_type, instance_id)
);

CREATE TABLE infra_anomaly_alerts (
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
  UNIQUE (alert_date, instance_id, metric_name, alert_type)
);
CREATE INDEX ix_alerts_open ON infra_anomaly_alerts (acknowledged, alert_date);

CREATE TABLE infra_monitoring_pipeline_log (
  id               INTEGER PRIMARY KEY,
  run_id           TEXT    NOT NULL,
  target_date      TEXT    NOT NULL,
  step_num         INTEGER NOT NULL,
  step_name        TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('SUCCESS', 'FAILED', 'SKIPPED')),
  rows_affected    INTEGER NOT NULL DEFAULT 0,
  duration_seconds REAL    NOT NULL DEFAULT 0,
  error_message    TEXT,
  created_at       TEXT    NOT NULL,
  UNIQUE (run_id, step_num)
);
CREATE INDEX ix_pipeline_log_created ON infra_monitoring_pipeline_log (created_at);
CREATE INDEX ix_pipeline_log_status ON infra_monitoring_pipeline_log (status, created_at);

-- Unacknowledged alerts, newest first, then most severe, then highest score.
CREATE VIEW v_active_anomaly_alerts AS
SELECT a.*,
       CASE a.severity WHEN 'EMERGENCY' THEN 1 WHEN 'CRITICAL' THEN 2
                       WHEN 'WARNING' THEN 3 ELSE 4 END AS severity_rank
FROM infra_anomaly_alerts a
WHERE a.acknowledged = 0
ORDER BY a.alert_date DESC, severity_rank ASC, a.anomaly_score DESC;
