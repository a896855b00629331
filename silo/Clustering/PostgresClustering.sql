-- Orleans.KeyValue: the PostgreSQL side of Orleans's ADO.NET clustering provider
-- (Microsoft.Orleans.Clustering.AdoNet 10.4.2, invariant "Npgsql"). The package ships no SQL: at
-- start it reads every query it runs from OrleansQuery (QueryKey -> QueryText) and refuses to
-- start when a required key is missing. Only membership lives here (no persistence, no reminders).
--
-- Safe to run again and from several silos at once: the advisory lock serializes runners, tables
-- are created only when missing, and query texts are overwritten, so a corrected query reaches
-- databases made by an older version of this file. Objects go into the first schema of the
-- connection's search_path.
--
-- PostgresClusteringSchema.EnsureAsync runs this file in one transaction; by hand:
--   psql -v ON_ERROR_STOP=1 --single-transaction -f PostgresClustering.sql
--
-- What the provider expects of the queries (read from its 10.4.2 assembly):
-- * Parameters are named @DeploymentId (the ClusterId), @Address (IP text), @Port, @Generation,
--   @SiloName, @HostName, @Status (SiloStatus as int: Active 3, Dead 6), @ProxyPort (the gateway
--   port, 0 for none), @StartTime, @IAmAliveTime (UTC), @SuspectTimes ("silo,date|silo,date" or
--   NULL) and @Version (the table version the caller last read).
-- * The table version is also every row's ETag: a write succeeds only while the version is the
--   one the caller read, and each successful insert or update adds one to it. Writes answer with
--   one row of one boolean column.
-- * Reads of membership return the version row even when no member matches (the columns of the
--   member are then NULL); with no version row at all the provider fails, so silos create it
--   first (InsertMembershipVersionKey).
-- Each query is a single statement, so it is atomic without an explicit transaction (the
-- provider runs them in autocommit); data-modifying CTEs stand in for stored functions.

-- 0x4F4B564F524C4E53, "OKVORLNS": held until the transaction ends.
SELECT pg_advisory_xact_lock(5713755450932743763);

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey text PRIMARY KEY,
    QueryText text NOT NULL
);

-- One row per cluster: its membership version, the compare-and-swap token of every write.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable (
    DeploymentId text PRIMARY KEY,
    Version integer NOT NULL DEFAULT 0,
    Timestamp timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address, port and generation).
CREATE TABLE IF NOT EXISTS OrleansMembershipTable (
    DeploymentId text NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address text NOT NULL,
    Port integer NOT NULL,
    Generation integer NOT NULL,
    SiloName text NOT NULL,
    HostName text NOT NULL,
    Status integer NOT NULL,
    ProxyPort integer NOT NULL,
    SuspectTimes text NULL,
    StartTime timestamptz NOT NULL,
    IAmAliveTime timestamptz NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

INSERT INTO OrleansQuery AS q (QueryKey, QueryText) VALUES

-- A silo starting: make the cluster's version row unless it exists. True when this call made it.
('InsertMembershipVersionKey', $query$
WITH made AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING DeploymentId
)
SELECT EXISTS (SELECT FROM made) AS Created
$query$),

-- Every member of the cluster with the version they were read at; the version alone when the
-- cluster has none.
('MembershipReadAllKey', $query$
SELECT v.Version,
       m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId
$query$),

-- One silo's row with the version; the version alone when the silo has no row.
('MembershipReadRowKey', $query$
SELECT v.Version,
       m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId
$query$),

-- Add a silo's row if the version is still @Version, moving the version on. The version row is
-- updated first: its row lock makes concurrent writers wait and then fail the version check, so
-- at most one write per version succeeds. A row that already exists makes the whole call fail
-- (nothing changes), as the provider expects of an insert.
('InsertMembershipKey', $query$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId AND Version = @Version
      AND NOT EXISTS (
          SELECT FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId
            AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), added AS (
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
         StartTime, IAmAliveTime)
    SELECT DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           @StartTime, @IAmAliveTime
    FROM bumped
    RETURNING 1
)
SELECT EXISTS (SELECT FROM added) AS Inserted
$query$),

-- Change a silo's status and suspicions if the version is still @Version, moving the version on.
-- The heartbeat never moves back (a late write must not make a silo look older than it is).
('UpdateMembershipKey', $query$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId AND Version = @Version
      AND EXISTS (
          SELECT FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId
            AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), changed AS (
    UPDATE OrleansMembershipTable AS m
    SET Status = @Status,
        SuspectTimes = @SuspectTimes,
        IAmAliveTime = GREATEST(m.IAmAliveTime, @IAmAliveTime)
    FROM bumped
    WHERE m.DeploymentId = bumped.DeploymentId
      AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT FROM changed) AS Updated
$query$),

-- A silo's heartbeat. Not versioned: other silos read it, they do not race on it.
('UpdateIAmAlivetimeKey', $query$
UPDATE OrleansMembershipTable
SET IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime)
WHERE DeploymentId = @DeploymentId
  AND Address = @Address AND Port = @Port AND Generation = @Generation
$query$),

-- Where clients connect: active silos that have a gateway.
('GatewaysQueryKey', $query$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0
$query$),

-- Forget a cluster: its members, then its version row (one statement, so both or neither).
('DeleteMembershipTableEntriesKey', $query$
WITH members AS (
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
)
DELETE FROM OrleansMembershipVersionTable
WHERE DeploymentId = @DeploymentId
$query$),

-- Remove one dead silo's row, but only if it is still what the provider read (it decided the
-- row was old enough from those values). NULL and empty suspicions count as the same.
('CleanupDefunctSiloEntryKey', $query$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Address = @Address AND Port = @Port AND Generation = @Generation
  AND Status = 6
  AND StartTime = @StartTime AND IAmAliveTime = @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '')
$query$),

-- Remove dead silos' rows that started and last beat before @IAmAliveTime. The provider uses it
-- only when CleanupDefunctSiloEntryKey is missing, but refuses to start without it.
('CleanupDefunctSiloEntriesKey', $query$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = 6
  AND StartTime < @IAmAliveTime AND IAmAliveTime < @IAmAliveTime
$query$)

ON CONFLICT (QueryKey) DO UPDATE
SET QueryText = EXCLUDED.QueryText
WHERE q.QueryText IS DISTINCT FROM EXCLUDED.QueryText;
