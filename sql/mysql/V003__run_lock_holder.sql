-- Who holds the run lock (GET_LOCK 'infra_monitor:run:<db>'), so a second run can name it:
-- written by the lock's owner after it takes the lock; informative only, the lock itself is
-- the server's.
CREATE TABLE IF NOT EXISTS infra_run_lock_holder (
  lock_name   VARCHAR(64)  NOT NULL,
  holder      VARCHAR(255) NOT NULL,
  acquired_at DATETIME     NOT NULL,
  PRIMARY KEY (lock_name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
