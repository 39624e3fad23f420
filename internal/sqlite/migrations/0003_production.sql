-- Production: makers' printers, hospitals' requests, routing runs, and the
-- print jobs routing (or a coordinator) makes, with their claims and events.

CREATE TABLE printers (
    id              INTEGER PRIMARY KEY,
    owner_id        INTEGER NOT NULL REFERENCES users (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    model           TEXT NOT NULL DEFAULT '',
    bed_x_mm        REAL NOT NULL CHECK (bed_x_mm > 0 AND bed_x_mm <= 2000),
    bed_y_mm        REAL NOT NULL CHECK (bed_y_mm > 0 AND bed_y_mm <= 2000),
    bed_z_mm        REAL NOT NULL CHECK (bed_z_mm > 0 AND bed_z_mm <= 2000),
    nozzle_mm       REAL NOT NULL CHECK (nozzle_mm BETWEEN 0.1 AND 2),
    materials       TEXT NOT NULL,          -- comma-separated material names, upper case
    hours_per_day   REAL NOT NULL CHECK (hours_per_day > 0 AND hours_per_day <= 24),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    deleted_at      TEXT,                   -- printers with jobs are retired, not deleted
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE INDEX printers_owner_id ON printers (owner_id);

-- A hospital's request. Its units are always split as
--   quantity = delivered + cancelled + open
-- where open is derived; delivered is written by inventory (receipts).
CREATE TABLE requests (
    id                        INTEGER PRIMARY KEY,
    organisation_id           INTEGER NOT NULL REFERENCES organisations (id),
    created_by                INTEGER NOT NULL REFERENCES users (id),
    design_id                 INTEGER NOT NULL REFERENCES designs (id),
    version_number            INTEGER,     -- NULL: the design's current version at routing time
    quantity                  INTEGER NOT NULL CHECK (quantity > 0),
    delivered                 INTEGER NOT NULL DEFAULT 0 CHECK (delivered >= 0),
    cancelled                 INTEGER NOT NULL DEFAULT 0 CHECK (cancelled >= 0),
    priority                  TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'normal')),
    needed_by                 TEXT NOT NULL,
    delivery_address          TEXT NOT NULL CHECK (length(delivery_address) BETWEEN 1 AND 500),
    clinically_validated_only INTEGER NOT NULL DEFAULT 0 CHECK (clinically_validated_only IN (0, 1)),
    refused_licences          TEXT NOT NULL DEFAULT '', -- comma-separated SPDX ids
    notes                     TEXT NOT NULL DEFAULT '',
    state                     TEXT NOT NULL CHECK (state IN ('open', 'fulfilled', 'cancelled')),
    reconfirmed_at            TEXT NOT NULL,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    CHECK (delivered + cancelled <= quantity)
);

CREATE INDEX requests_organisation_id ON requests (organisation_id);
CREATE INDEX requests_state ON requests (state);

CREATE TABLE routing_runs (
    id          INTEGER PRIMARY KEY,
    started_by  INTEGER REFERENCES users (id), -- NULL: the schedule
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    stats       TEXT NOT NULL                 -- JSON: units requested, on time, late, unallocated, km…
);

-- What a routing run could not allocate, and why.
CREATE TABLE routing_unallocated (
    run_id     INTEGER NOT NULL REFERENCES routing_runs (id),
    request_id INTEGER NOT NULL REFERENCES requests (id),
    units      INTEGER NOT NULL CHECK (units > 0),
    cause      TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);

CREATE INDEX routing_unallocated_run_id ON routing_unallocated (run_id);

-- A job: N units of one design version for one request. Offered to one maker
-- (offered_to) until offer_expires_at, then in the open pool; claimed with a
-- lease whose token is stored hashed.
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    request_id       INTEGER NOT NULL REFERENCES requests (id),
    version_id       INTEGER NOT NULL REFERENCES design_versions (id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    printed          INTEGER NOT NULL DEFAULT 0 CHECK (printed >= 0 AND printed <= quantity),
    state            TEXT NOT NULL CHECK (state IN ('offered', 'open', 'claimed', 'printing', 'printed', 'handed_over', 'failed', 'cancelled')),
    offered_to       INTEGER REFERENCES users (id),
    offer_expires_at TEXT,
    printer_id       INTEGER REFERENCES printers (id), -- the printer routing planned it for, or the claimer's
    claimed_by       INTEGER REFERENCES users (id),
    lease_hash       TEXT,
    lease_expires_at TEXT,
    lease_warned     INTEGER NOT NULL DEFAULT 0 CHECK (lease_warned IN (0, 1)), -- "lease about to expire" sent
    run_id           INTEGER REFERENCES routing_runs (id), -- NULL: made by hand by a coordinator
    reason           TEXT NOT NULL DEFAULT '',
    distance_km      REAL,
    created_by       INTEGER REFERENCES users (id),        -- NULL: routing
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK (state != 'offered' OR (offered_to IS NOT NULL AND offer_expires_at IS NOT NULL)),
    CHECK (state NOT IN ('claimed', 'printing') OR (claimed_by IS NOT NULL AND lease_hash IS NOT NULL AND lease_expires_at IS NOT NULL))
);

CREATE INDEX jobs_request_id ON jobs (request_id);
CREATE INDEX jobs_state ON jobs (state);
CREATE INDEX jobs_offered_to ON jobs (offered_to) WHERE state = 'offered';
CREATE INDEX jobs_claimed_by ON jobs (claimed_by);
CREATE INDEX jobs_lease_expires_at ON jobs (lease_expires_at) WHERE state IN ('claimed', 'printing');

-- Every transition of a job: who (NULL: the hub itself), when, from, to, why.
CREATE TABLE job_events (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL REFERENCES jobs (id),
    request_id INTEGER NOT NULL REFERENCES requests (id),
    actor_id   INTEGER REFERENCES users (id),
    at         TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    quantity   INTEGER NOT NULL DEFAULT 0,
    note       TEXT NOT NULL DEFAULT ''
);

CREATE INDEX job_events_job_id ON job_events (job_id);
CREATE INDEX job_events_request_id ON job_events (request_id);

-- Changes to requests (created, lowered, cancelled, reconfirmed…).
CREATE TABLE request_events (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    actor_id   INTEGER REFERENCES users (id),
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);

CREATE INDEX request_events_request_id ON request_events (request_id);
