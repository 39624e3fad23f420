-- The e-mail outbox (production/notify): a message is queued in the
-- transaction that causes it and sent after its commit, retried with
-- backoff while the SMTP server is away. Its Message-ID is fixed when it is
-- queued, so a message sent again after an attempt whose outcome was lost
-- (the hub killed between the server's answer and the record) carries the
-- same ID, which mail systems use to drop the duplicate.
CREATE TABLE mail_messages (
    id              INTEGER PRIMARY KEY,
    to_address      TEXT NOT NULL,
    user_id         INTEGER REFERENCES users (id),
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL DEFAULT '',
    message_id      TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    lease_token     TEXT,
    lease_until     TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);

CREATE INDEX mail_messages_due ON mail_messages (status, next_attempt_at);
CREATE INDEX mail_messages_user ON mail_messages (user_id);
