-- infra-monitor schema for MySQL 8 / MariaDB 10.6+, version 1: the same six tables, keys and
-- view as sql/sqlite/V001. InnoDB, utf8mb4. Dates are DATE, timestamps DATETIME in UTC.
-- No MariaDB-only syntax. Applied by `infra-monitor init-db` (and by every run) statement by
-- statement: MySQL commits DDL implicitly, so every statement is safe to run again.

CREATE TABLE IF NOT EXISTS infra_fleet_inventory (
  id                   BIGINT       NOT NULL AUTO_INCREMENT,
  service_type         VARCHAR(16)  NOT NULL,
  instance_id          VARCHAR(255) NOT NULL,
  instance_name        VARCHAR(255),
  instance_class       VARCHAR(64),
  engine               VARCHAR(64),
  region               VARCHAR(32),
  allocated_storage_gb DOUBLE,
  max_memory_bytes     DOUBLE,
  tags                 TEXT,
  status               VARCHAR(16)  NOT NULL DEFAULT 'ACTIVE',
  source               VARCHAR(16)  NOT NULL DEFAULT 'manual',
  first_seen           DATE         NOT NULL,
  last_seen            DATE         NOT NULL,
  created_at           DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at           DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uk_inventory (service_type, instance_id),
  KEY ix_inventory_status (status, service_type),
  KEY ix_inventory_source_seen (service_type, source, last_seen),
  CONSTRAINT ck_inventory_status CHECK (status IN ('ACTIVE', 'DECOMMISSIONED'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The natural key is the primary key: InnoDB clusters rows by it, so a day's rows sit together
-- (history reads are range scans, a new day appends) and an upsert finds its row without a
-- second index. metric_date leads every unique key so the table can be partitioned by month
-- (partition_by_month.sql): MySQL requires the partition column in every unique key.
CREATE TABLE IF NOT EXISTS infra_metric_daily (
  id               BIGINT       NOT NULL AUTO_INCREMENT,
  metric_date      DATE         NOT NULL,
  service_type     VARCHAR(16)  NOT NULL,
  instance_id      VARCHAR(255) NOT NULL,
  metric_name      VARCHAR(64)  NOT NULL,
  unit             VARCHAR(16),
  avg_value        DOUBLE       NOT NULL,
  min_value        DOUBLE       NOT NULL,
  max_value        DOUBLE       NOT NULL,
  p95_value        DOUBLE       NOT NULL,
  sample_count     INT          NOT NULL,
  expected_samples INT          NOT NULL,
  source           VARCHAR(16)  NOT NULL,
  created_at       DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at       DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (metric_date, service_type, instance_id, metric_name),
  UNIQUE KEY uk_metric_daily_id (id, metric_date),
  KEY ix_metric_daily_series (service_type, instance_id, metric_name, metric_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS infra_anomaly_scores (
  id                 BIGINT       NOT NULL AUTO_INCREMENT,
  metric_date        DATE         NOT NULL,
  service_type       VARCHAR(16)  NOT NULL,
  instance_id        VARCHAR(255) NOT NULL,
  metric_name        VARCHAR(64)  NOT NULL,
  spc_stat           VARCHAR(8)   NOT NULL,
  value              DOUBLE       NOT NULL,
  rolling_mean_14d   DOUBLE,
  rolling_std_14d    DOUBLE,
  sigma              DOUBLE,
  baseline_days      INT          NOT NULL,
  z_score            DOUBLE,
  we_rules           VARCHAR(16),
  roc_pct            DOUBLE,
  anomaly_score      DOUBLE,
  severity           VARCHAR(16),
  is_baseline_period TINYINT      NOT NULL,
  score_status       VARCHAR(16)  NOT NULL,
  created_at         DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at         DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (metric_date, service_type, instance_id, metric_name),
  UNIQUE KEY uk_anomaly_scores_id (id, metric_date),
  KEY ix_anomaly_scores_series (service_type, instance_id, metric_name, metric_date),
  KEY ix_anomaly_scores_severity (metric_date, severity),
  CONSTRAINT ck_scores_severity CHECK (severity IN ('NORMAL', 'INFO', 'WARNING', 'CRITICAL')),
  CONSTRAINT ck_scores_status CHECK (score_status IN ('SCORED', 'BASELINE', 'LOW_COVERAGE'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS infra_health_scores (
  id                BIGINT       NOT NULL AUTO_INCREMENT,
  metric_date       DATE         NOT NULL,
  service_type      VARCHAR(16)  NOT NULL,
  instance_id       VARCHAR(255) NOT NULL,
  cpu_score         DOUBLE,
  memory_score      DOUBLE,
  storage_score     DOUBLE,
  connections_score DOUBLE,
  latency_score     DOUBLE,
  throughput_score  DOUBLE,
  errors_score      DOUBLE,
  health_score      DOUBLE,
  grade             CHAR(1),
  trend_direction   VARCHAR(16),
  created_at        DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at        DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uk_health_scores (metric_date, service_type, instance_id),
  KEY ix_health_grade (metric_date, grade),
  CONSTRAINT ck_health_grade CHECK (grade IN ('A', 'B', 'C', 'D', 'F')),
  CONSTRAINT ck_health_trend CHECK (trend_direction IN ('IMPROVING', 'STABLE', 'DEGRADING'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS infra_anomaly_alerts (
  id                       BIGINT       NOT NULL AUTO_INCREMENT,
  alert_date               DATE         NOT NULL,
  service_type             VARCHAR(16)  NOT NULL,
  instance_id              VARCHAR(255) NOT NULL,
  metric_name              VARCHAR(64)  NOT NULL,
  alert_type               VARCHAR(16)  NOT NULL,
  severity                 VARCHAR(16)  NOT NULL,
  value                    DOUBLE,
  baseline_mean            DOUBLE,
  baseline_sigma           DOUBLE,
  z_score                  DOUBLE,
  we_rules                 VARCHAR(16),
  roc_pct                  DOUBLE,
  anomaly_score            DOUBLE,
  consecutive_anomaly_days INT          NOT NULL DEFAULT 0,
  message                  TEXT         NOT NULL,
  recommended_action       VARCHAR(255),
  acknowledged             TINYINT      NOT NULL DEFAULT 0,
  acknowledged_by          VARCHAR(64),
  acknowledged_at          DATETIME,
  notes                    TEXT,
  created_at               DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at               DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uk_alerts (alert_date, instance_id, metric_name, alert_type),
  KEY ix_alerts_open (acknowledged, alert_date),
  KEY ix_alerts_instance (instance_id, acknowledged),
  CONSTRAINT ck_alerts_type CHECK (alert_type IN
    ('ZSCORE', 'WE_RULE', 'ROC', 'THRESHOLD', 'BASELINE_SHIFT', 'HEALTH', 'FORECAST')),
  CONSTRAINT ck_alerts_severity CHECK (severity IN ('EMERGENCY', 'CRITICAL', 'WARNING', 'INFO'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS infra_monitoring_pipeline_log (
  id               BIGINT       NOT NULL AUTO_INCREMENT,
  run_id           VARCHAR(64)  NOT NULL,
  target_date      DATE         NOT NULL,
  step_num         INT          NOT NULL,
  step_name        VARCHAR(64)  NOT NULL,
  status           VARCHAR(16)  NOT NULL,
  rows_affected    BIGINT       NOT NULL DEFAULT 0,
  duration_seconds DOUBLE       NOT NULL DEFAULT 0,
  error_message    TEXT,
  created_at       DATETIME     NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_pipeline_log (run_id, step_num),
  KEY ix_pipeline_log_created (created_at),
  KEY ix_pipeline_log_status (status, created_at),
  CONSTRAINT ck_pipeline_log_status CHECK (status IN ('SUCCESS', 'FAILED', 'SKIPPED'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Unacknowledged alerts, newest first, then most severe, then highest score.
CREATE OR REPLACE VIEW v_active_anomaly_alerts AS
SELECT a.*,
       CASE a.severity WHEN 'EMERGENCY' THEN 1 WHEN 'CRITICAL' THEN 2
                       WHEN 'WARNING' THEN 3 ELSE 4 END AS severity_rank
FROM infra_anomaly_alerts a
WHERE a.acknowledged = 0
ORDER BY a.alert_date DESC, severity_rank ASC, a.anomaly_score DESC;

-- Guide section 11: pipeline log retention, daily at 05:00 UTC (needs event_scheduler=ON).
CREATE EVENT IF NOT EXISTS evt_cleanup_pipeline_log
ON SCHEDULE EVERY 1 DAY STARTS (TIMESTAMP(CURRENT_DATE) + INTERVAL 1 DAY + INTERVAL 5 HOUR)
DO DELETE FROM infra_monitoring_pipeline_log WHERE created_at < UTC_TIMESTAMP() - INTERVAL 90 DAY;
