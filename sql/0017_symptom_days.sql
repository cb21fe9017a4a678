-- MediKeep-FCGI schema, part 17: the symptom timeline reads per-day totals instead of
-- aggregating every occurrence on each request.
--
-- symptom_days holds, per symptom and UTC day, what the timeline draws: the number of
-- occurrences, the highest and summed severity score (mild 1 ... critical 4, as
-- SymptomStats.severityScore), and the highest, summed and counted pain scale. The
-- triggers below recompute the day an occurrence enters, leaves or moves out of from
-- the occurrences themselves, in the same transaction as the change, so a day's row
-- is always exactly the aggregate of its occurrences; a day left empty keeps a row
-- with 0 occurrences, which the timeline skips. (Foreign-key cascades fire no
-- triggers: a deleted symptom's days go by their own cascade.)
-- A month's chart of a symptom with 10,000 occurrences then reads 30 rows, not 4,400.
-- Each trigger body is one statement, so no DELIMITER is needed.

CREATE TABLE symptom_days (
    symptom_id BIGINT NOT NULL,
    day DATE NOT NULL,
    occurrences INT NOT NULL,
    max_score TINYINT NOT NULL,
    score_sum INT NOT NULL,
    max_pain TINYINT NULL,
    pain_sum INT NOT NULL,
    pain_count INT NOT NULL,
    PRIMARY KEY (symptom_id, day),
    CONSTRAINT fk_symptom_days_symptom FOREIGN KEY (symptom_id) REFERENCES symptoms (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- With severity and pain in the index, recomputing a day reads the index range alone.
-- (symptom_id, occurred_at) stays its prefix, so it also serves the foreign key and
-- every query the old key served.
ALTER TABLE symptom_occurrences
    ADD KEY ix_symptom_occurrences_chart (symptom_id, occurred_at, severity, pain_scale),
    DROP KEY ix_symptom_occurrences_symptom;

-- Days of the occurrences that exist already.
INSERT INTO symptom_days (symptom_id, day, occurrences, max_score, score_sum, max_pain, pain_sum, pain_count)
SELECT symptom_id, DATE(occurred_at), COUNT(*),
    IFNULL(MAX(FIELD(severity, 'mild', 'moderate', 'severe', 'critical')), 0),
    IFNULL(SUM(FIELD(severity, 'mild', 'moderate', 'severe', 'critical')), 0),
    MAX(pain_scale), IFNULL(SUM(pain_scale), 0), COUNT(pain_scale)
FROM symptom_occurrences GROUP BY symptom_id, DATE(occurred_at);

CREATE TRIGGER symptom_days_insert AFTER INSERT ON symptom_occurrences FOR EACH ROW
    REPLACE INTO symptom_days (symptom_id, day, occurrences, max_score, score_sum, max_pain, pain_sum, pain_count)
    SELECT NEW.symptom_id, DATE(NEW.occurred_at), COUNT(*),
        IFNULL(MAX(FIELD(o.severity, 'mild', 'moderate', 'severe', 'critical')), 0),
        IFNULL(SUM(FIELD(o.severity, 'mild', 'moderate', 'severe', 'critical')), 0),
        MAX(o.pain_scale), IFNULL(SUM(o.pain_scale), 0), COUNT(o.pain_scale)
    FROM symptom_occurrences o
    WHERE o.symptom_id = NEW.symptom_id AND o.occurred_at >= DATE(NEW.occurred_at)
        AND o.occurred_at < DATE(NEW.occurred_at) + INTERVAL 1 DAY;

-- An update may move an occurrence to another day (or symptom): the day it left...
CREATE TRIGGER symptom_days_update_old AFTER UPDATE ON symptom_occurrences FOR EACH ROW
    REPLACE INTO symptom_days (symptom_id, day, occurrences, max_score, score_sum, max_pain, pain_sum, pain_count)
    SELECT OLD.symptom_id, DATE(OLD.occurred_at), COUNT(*),
        IFNULL(MAX(FIELD(o.severity, 'mild', 'moderate', 'severe', 'critical')), 0),
        IFNULL(SUM(FIELD(o.severity, 'mild', 'moderate', 'severe', 'critical')), 0),
        MAX(o.pain_scale), IFNULL(SUM(o.pain_scale), 0), COUNT(o.pain_scale)
    FROM symptom_occurrences o
    WHERE o.symptom_id = OLD.symptom_id AND o.occurred_at >= DATE(OLD.occurred_at)
        AND o.occurred_at < DATE(OLD.occurred_at) + INTERVAL 1 DAY;

-- ... and the day it is in now.
CREATE TRIGGER symptom_days_update_new AFTER UPDATE ON symptom_occurrences FOR EACH ROW
    FOLLOWS symptom_days_update_old
    REPLACE INTO symptom_days (symptom_id, day, occurrences, max_score, score_sum, max_pain, pain_sum, pain_count)
    SELECT NEW.symptom_id, DATE(NEW.occurred_at), COUNT(*),
        IFNULL(MAX(FIELD(o.severity, 'mild', 'moderate', 'severe', 'critical')), 0),
        IFNULL(SUM(FIELD(o.severity, 'mild', 'moderate', 'severe', 'critical')), 0),
        MAX(o.pain_scale), IFNULL(SUM(o.pain_scale), 0), COUNT(o.pain_scale)
    FROM symptom_occurrences o
    WHERE o.symptom_id = NEW.symptom_id AND o.occurred_at >= DATE(NEW.occurred_at)
        AND o.occurred_at < DATE(NEW.occurred_at) + INTERVAL 1 DAY;

CREATE TRIGGER symptom_days_delete AFTER DELETE ON symptom_occurrences FOR EACH ROW
    REPLACE INTO symptom_days (symptom_id, day, occurrences, max_score, score_sum, max_pain, pain_sum, pain_count)
    SELECT OLD.symptom_id, DATE(OLD.occurred_at), COUNT(*),
        IFNULL(MAX(FIELD(o.severity, 'mild', 'moderate', 'severe', 'critical')), 0),
        IFNULL(SUM(FIELD(o.severity, 'mild', 'moderate', 'severe', 'critical')), 0),
        MAX(o.pain_scale), IFNULL(SUM(o.pain_scale), 0), COUNT(o.pain_scale)
    FROM symptom_occurrences o
    WHERE o.symptom_id = OLD.symptom_id AND o.occurred_at >= DATE(OLD.occurred_at)
        AND o.occurred_at < DATE(OLD.occurred_at) + INTERVAL 1 DAY;
