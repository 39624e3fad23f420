-- Filament accounting and the figures coordinators report on.

-- The region an organisation declares (a French région, a county, a
-- state): reports group hospitals by it. Empty when not given.
ALTER TABLE organisations ADD COLUMN region TEXT NOT NULL DEFAULT '' CHECK (length(region) <= 100);

-- Everything that changed a spool's grams: added (a new spool), weighed (its
-- maker corrected the figure), consumed (a batch was printed from it). Like
-- the stock ledger, it is append-only.
CREATE TABLE spool_events (
    id         INTEGER PRIMARY KEY,
    spool_id   INTEGER NOT NULL REFERENCES spools (id),
    kind       TEXT NOT NULL CHECK (kind IN ('added', 'weighed', 'consumed')),
    grams      REAL NOT NULL,          -- the change: negative when consumed
    grams_left REAL NOT NULL CHECK (grams_left >= 0),
    batch_id   INTEGER REFERENCES batches (id),
    actor_id   INTEGER REFERENCES users (id),
    at         TEXT NOT NULL,
    CHECK ((kind = 'consumed') = (batch_id IS NOT NULL))
);

CREATE INDEX spool_events_spool_id ON spool_events (spool_id);

CREATE TRIGGER spool_events_no_update BEFORE UPDATE ON spool_events
BEGIN
    SELECT RAISE(ABORT, 'spool events are append-only: weigh the spool again instead');
END;

CREATE TRIGGER spool_events_no_delete BEFORE DELETE ON spool_events
BEGIN
    SELECT RAISE(ABORT, 'spool events are append-only: weigh the spool again instead');
END;

CREATE INDEX batches_maker_id ON batches (maker_id);
CREATE INDEX batches_spool_id ON batches (spool_id);
