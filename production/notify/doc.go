// Package notify tells people what concerns them: in-app notifications (a job
// offered, a lease about to lapse, a request allocated or unallocatable, a
// recall) and signed webhooks that carry an organisation's notifications to
// the chat groups its makers coordinate in.
//
// # Who sees what
//
// A notification is addressed to a user, to an organisation, or to both.
// A user sees those addressed to them and to their organisation
// (FindNotifications); each user marks them read for themselves
// (notification_reads), so one maker reading an organisation's notification
// does not hide it from the others. An organisation's webhooks receive
// exactly its notifications: what a webhook posts, every user of the
// organisation could read in the hub anyway. Coordinators manage any
// organisation's webhooks; other users manage their own organisation's;
// anyone else is refused (403), and anonymous callers are asked to log in
// (401). Another user's notification is "not found", never "forbidden".
//
// # The outbox
//
// Other domains call Enqueue (or EnqueueMany) inside their own write
// transaction. It inserts the notification and, in the same transaction, one
// pending row in webhook_deliveries for each active webhook of the addressed
// organisation whose event filter selects the kind. So a notification and
// its deliveries exist exactly when the change they report was committed:
// a rolled-back job offer notifies nobody, and a committed one cannot be
// lost by a crash before a webhook is called. Nothing is sent from inside
// the caller's transaction.
//
// The dispatcher (RunDispatcher, or one pass with DeliverDue) works in three
// steps, so that SQLite's single write lock is never held during a network
// call:
//
//  1. Claim, in one short transaction: a single UPDATE … RETURNING gives up
//     to BatchSize due deliveries (pending, next_attempt_at reached, not
//     leased, webhook active) a random lease token and a lease_until, and
//     counts the attempt. Two dispatchers, in one process or in several, can
//     therefore never hold the same delivery at once.
//  2. Send, with no transaction open: POST the JSON payload to the webhook's
//     URL, Concurrency requests at a time, each within Timeout (10 s).
//  3. Record, one short UPDATE per delivery that matches the lease token: a
//     dispatcher whose lease lapsed cannot overwrite another's result.
//
// A 2xx answer marks the delivery delivered. Anything else (another status,
// a refused connection, no answer within the timeout) is recorded in the log
// — last status code, last error, attempt count — and the delivery is due
// again after an exponential backoff with jitter: 30 s, 1 min, 2 min… capped
// at 1 h, each less a random 0–20 %. After MaxAttempts (10: about three
// hours after the first attempt) it is marked failed; RetryDelivery starts
// it over. Redirects are not followed. Delivered and failed entries are
// pruned after 30 days.
//
// Delivery is at least once: a receiver may see a delivery again if the hub
// stopped between sending it and recording the answer, or if the answer came
// too late. Deliveries of one webhook are not ordered. Receivers should
// ignore an X-Makerhub-Delivery they have already processed and order by the
// notification's id or created_at.
//
// By default the hub only calls public addresses: a URL naming localhost or
// a private, loopback or link-local IP is refused when the webhook is
// created, and the connection itself is refused if a name resolves to such
// an address (Options.AllowPrivateNetworks lifts both, for a hub whose chat
// bridge runs next to it). Any maker can create a webhook, and without this
// the hub would probe its own network, cloud metadata included, for them.
//
// # What a receiver gets and how it verifies it
//
// Each attempt is a POST with the JSON body
//
//	{"id": 42, "event": "job.offered", "created_at": "2026-03-20T09:00:00Z",
//	 "notification": {"id": 17, "organisation_id": 3, "kind": "job.offered",
//	  "title": "…", "body": "…", "link": "/api/v1/jobs/12", "data": {…}, "created_at": "…"}}
//
// and the headers
//
//	Content-Type: application/json
//	X-Makerhub-Event: job.offered
//	X-Makerhub-Delivery: 42
//	X-Makerhub-Timestamp: 1774000800
//	X-Makerhub-Signature: sha256=<64 hex digits>
//
// The signature is HMAC-SHA256, keyed with the webhook's secret exactly as
// it was shown at creation (the whole "mhwh_…" string, as bytes), of the
// timestamp header, a dot, and the raw body bytes. To verify, a receiver:
//
//  1. reads the raw body before parsing it (re-encoded JSON will not match);
//  2. computes hex(HMAC-SHA256(secret, timestamp + "." + body)) and compares
//     it with the header after "sha256=" in constant time (accepting any of
//     several comma-separated signatures);
//  3. refuses a timestamp more than 5 minutes from its own clock, so that a
//     captured request cannot be replayed later (every retry is signed
//     afresh, so retries pass);
//  4. ignores a delivery ID it has already processed.
//
// Go receivers can call VerifySignature and VerifyTimestamp. The secret is a
// shared secret, not a password: the hub stores it in clear because it must
// sign with it, so it is shown once and can be replaced only by deleting the
// webhook and creating another.
package notify
