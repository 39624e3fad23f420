-- Inventory: where finished units are, from the printer to the ward.
--
-- Stock is derived from an append-only ledger of movements. Every movement
-- takes quantity units of one batch from one place (a location and a quality
-- status) to another; a side that is NULL is outside the stock: production
-- (produced), the reject bin (quality_rejected), transit (shipped, received),
-- or a correction (adjusted). The stock table is the ledger summed, kept in
-- the same transaction as each movement, and never negative; `makerhub fsck`
-- recomputes it from the ledger.

-- A place that holds units: a maker's site (one per maker organisation), a
-- collection hub run by coordinators, a hospital (one per hospital
-- organisation). Sites and hospitals are made on first need from their
-- organisation.
CREATE TABLE locations (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('maker_site', 'hub', 'hospital')),
    organisation_id INTEGER UNIQUE REFERENCES organisations (id),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address         TEXT NOT NULL DEFAULT '',
    lat             REAL CHECK (lat BETWEEN -90 AND 90),
    lon             REAL CHECK (lon BETWEEN -180 AND 180),
    created_by      INTEGER REFERENCES users (id),
    created_at      TEXT NOT NULL,
    CHECK ((kind = 'hub') = (organisation_id IS NULL))
);

-- Units of a design category must pass their quality check at this hub
-- (for example ventilator parts): makers cannot pass them at their site.
CREATE TABLE quality_rules (
    category    TEXT PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL
);

-- What one job printed: the unit of traceability. It links the design
-- version and the files printed, the maker, the printer and the filament.
CREATE TABLE batches (
    id            INTEGER PRIMARY KEY,
    job_id        INTEGER NOT NULL UNIQUE REFERENCES jobs (id),
    request_id    INTEGER NOT NULL REFERENCES requests (id), -- the request it was printed for
    version_id    INTEGER NOT NULL REFERENCES design_versions (id),
    maker_id      INTEGER NOT NULL REFERENCES users (id),
    printer_id    INTEGER REFERENCES printers (id),
    filament_lot  TEXT NOT NULL DEFAULT '',
    quantity      INTEGER NOT NULL CHECK (quantity > 0),     -- produced
    location_id   INTEGER NOT NULL REFERENCES locations (id), -- where it was produced
    printed_at    TEXT NOT NULL,                              -- when the job was completed
    produced_at   TEXT NOT NULL                               -- when it entered the stock
);

CREATE INDEX batches_request_id ON batches (request_id);
CREATE INDEX batches_version_id ON batches (version_id);
CREATE INDEX batches_filament_lot ON batches (filament_lot);

-- The files a batch was printed from (a version's STL parts).
CREATE TABLE batch_files (
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    sha256   TEXT NOT NULL REFERENCES files (sha256),
    name     TEXT NOT NULL,
    PRIMARY KEY (batch_id, sha256)
) WITHOUT ROWID;

CREATE INDEX batch_files_sha256 ON batch_files (sha256);

CREATE TABLE movements (
    id               INTEGER PRIMARY KEY,
    batch_id         INTEGER NOT NULL REFERENCES batches (id),
    kind             TEXT NOT NULL CHECK (kind IN ('produced', 'quality_passed', 'quality_rejected', 'transferred', 'shipped', 'received', 'adjusted')),
    from_location_id INTEGER REFERENCES locations (id),
    from_status      TEXT CHECK (from_status IN ('unchecked', 'passed')),
    to_location_id   INTEGER REFERENCES locations (id),
    to_status        TEXT CHECK (to_status IN ('unchecked', 'passed')),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    shipment_id      INTEGER,
    reason           TEXT NOT NULL DEFAULT '',
    actor_id         INTEGER REFERENCES users (id),
    at               TEXT NOT NULL,
    CHECK ((from_location_id IS NULL) = (from_status IS NULL)),
    CHECK ((to_location_id IS NULL) = (to_status IS NULL)),
    CHECK (from_location_id IS NOT NULL OR to_location_id IS NOT NULL)
);

CREATE INDEX movements_batch_id ON movements (batch_id);

CREATE TRIGGER movements_no_update BEFORE UPDATE ON movements
BEGIN
    SELECT RAISE(ABORT, 'the stock ledger is append-only: record a correcting movement instead');
END;

CREATE TRIGGER movements_no_delete BEFORE DELETE ON movements
BEGIN
    SELECT RAISE(ABORT, 'the stock ledger is append-only: record a correcting movement instead');
END;

CREATE TABLE stock (
    batch_id    INTEGER NOT NULL REFERENCES batches (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    status      TEXT NOT NULL CHECK (status IN ('unchecked', 'passed')),
    quantity    INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (batch_id, location_id, status)
) WITHOUT ROWID;

CREATE INDEX stock_location_id ON stock (location_id);

-- Units produced for a request and not yet delivered or lost (in stock
-- short of a hospital, or in transit): routing must not plan them again.
-- Written by inventory in the transaction of each movement, like delivered.
ALTER TABLE requests ADD COLUMN in_inventory INTEGER NOT NULL DEFAULT 0 CHECK (in_inventory >= 0);
