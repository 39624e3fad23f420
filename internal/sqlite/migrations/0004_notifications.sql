-- Notifications (production/notify): in-app notifications, each user's read
-- marks, organisations' outgoing webhooks and the delivery log that doubles as
-- the outbox. Other domains insert notifications and deliveries inside their
-- own transactions, so a notification exists exactly when the change it
-- reports was committed; a dispatcher sends the deliveries afterwards.
-- Timestamps are UTC text in sqlite.TimeLayout.

-- A notification is addressed to a user, an organisation (every user of it
-- sees it and its webhooks receive it), or both. Rows never change once
-- written; read marks are per user, in notification_reads.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER REFERENCES organisations (id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    title           TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body            TEXT NOT NULL DEFAULT '',
    link            TEXT NOT NULL DEFAULT '',
    data            TEXT CHECK (data IS NULL OR json_valid(data)),
    created_at      TEXT NOT NULL,
    CHECK (organisation_id IS NOT NULL OR user_id IS NOT NULL)
);

CREATE INDEX notifications_user_id ON notifications (user_id, id);
CREATE INDEX notifications_organisation_id ON notifications (organisation_id, id);

-- When each user read a notification: an organisation's notification is
-- read or unread for each of its users separately.
CREATE TABLE notification_reads (
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at         TEXT NOT NULL,
    PRIMARY KEY (notification_id, user_id)
) WITHOUT ROWID;

CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    url             TEXT NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    events          TEXT NOT NULL CHECK (json_valid(events) AND json_type(events) = 'array'), -- kinds, or ["*"]
    -- The HMAC-SHA256 signing key, in clear: signing needs it. It is a shared
    -- secret (the receiver holds a copy), not a password; shown once.
    secret          TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL
);

CREATE INDEX webhooks_organisation_id ON webhooks (organisation_id);

-- One row per (webhook, notification): the outbox entry while pending, the
-- delivery log afterwards. A dispatcher claims a due row by setting
-- lease_token and lease_until in one UPDATE; only the holder of the token
-- records the outcome.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    webhook_id       INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    notification_id  INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TEXT,    -- when a pending delivery is due; NULL once delivered or failed
    lease_token      TEXT,
    lease_until      TEXT,
    last_attempt_at  TEXT,
    last_status_code INTEGER, -- the receiver's HTTP status; NULL when it did not answer
    last_error       TEXT NOT NULL DEFAULT '',
    delivered_at     TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (webhook_id, notification_id),
    CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
    CHECK ((lease_token IS NULL) = (lease_until IS NULL))
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_id ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_notification_id ON webhook_deliveries (notification_id);
CREATE INDEX webhook_deliveries_created_at ON webhook_deliveries (created_at) WHERE status != 'pending';
