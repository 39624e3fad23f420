-- Shipments, recalls and filament.

-- Units on their way from a location to a hub or a hospital. The stock
-- leaves the origin when the shipment is dispatched (shipped movements) and
-- enters the destination when it is received (received movements); what was
-- shipped and not received is recorded as missing, never lost silently.
CREATE TABLE shipments (
    id               INTEGER PRIMARY KEY,
    from_location_id INTEGER NOT NULL REFERENCES locations (id),
    to_location_id   INTEGER NOT NULL REFERENCES locations (id),
    carrier          TEXT NOT NULL DEFAULT '', -- a carrier or a volunteer driver
    tracking         TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL CHECK (state IN ('prepared', 'in_transit', 'delivered', 'received', 'cancelled')),
    note             TEXT NOT NULL DEFAULT '',
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK (from_location_id != to_location_id)
);

CREATE INDEX shipments_from ON shipments (from_location_id);
CREATE INDEX shipments_to ON shipments (to_location_id);

CREATE TABLE shipment_lines (
    shipment_id INTEGER NOT NULL REFERENCES shipments (id),
    batch_id    INTEGER NOT NULL REFERENCES batches (id),
    status      TEXT NOT NULL CHECK (status IN ('unchecked', 'passed')),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    request_id  INTEGER REFERENCES requests (id), -- to a hospital: the request the units fulfil
    received    INTEGER CHECK (received >= 0 AND received <= quantity), -- NULL until received
    PRIMARY KEY (shipment_id, batch_id, status)
) WITHOUT ROWID;

CREATE INDEX shipment_lines_batch_id ON shipment_lines (batch_id);

CREATE TABLE shipment_events (
    id          INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments (id),
    actor_id    INTEGER REFERENCES users (id),
    at          TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);

CREATE INDEX shipment_events_shipment_id ON shipment_events (shipment_id);

-- A recall: a withdrawn design version or a filament lot, and every batch
-- it holds back from shipping until a coordinator releases it.
CREATE TABLE recalls (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('version', 'filament_lot')),
    version_id   INTEGER REFERENCES design_versions (id),
    filament_lot TEXT,
    reason       TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    CHECK ((kind = 'version') = (version_id IS NOT NULL)),
    CHECK ((kind = 'filament_lot') = (filament_lot IS NOT NULL))
);

CREATE TABLE batch_holds (
    batch_id    INTEGER NOT NULL REFERENCES batches (id),
    recall_id   INTEGER NOT NULL REFERENCES recalls (id),
    released_at TEXT,
    released_by INTEGER REFERENCES users (id),
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (batch_id, recall_id)
) WITHOUT ROWID;

CREATE INDEX batch_holds_recall_id ON batch_holds (recall_id);

-- A maker's spools. A batch consumes its estimated grams from the spool
-- its maker names when handing it over.
CREATE TABLE spools (
    id         INTEGER PRIMARY KEY,
    maker_id   INTEGER NOT NULL REFERENCES users (id),
    material   TEXT NOT NULL CHECK (length(material) BETWEEN 1 AND 40),
    colour     TEXT NOT NULL DEFAULT '',
    grams_left REAL NOT NULL CHECK (grams_left >= 0),
    lot        TEXT NOT NULL DEFAULT '',
    donor      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX spools_maker_id ON spools (maker_id);

ALTER TABLE batches ADD COLUMN spool_id INTEGER REFERENCES spools (id);
ALTER TABLE batches ADD COLUMN filament_g REAL NOT NULL DEFAULT 0; -- estimated grams the batch consumed
