package notify

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// MaxWebhooksPerOrganisation bounds how many requests one notification can
// fan out into.
const MaxWebhooksPerOrganisation = 10

// MaxURLLength is the longest webhook URL accepted.
const MaxURLLength = 2000

// secretPrefix marks webhook signing secrets so that secret scanners and
// people can tell them from API tokens (mh_).
const secretPrefix = "mhwh_"

// Webhook sends an organisation's notifications to a URL, such as the bridge
// into the chat group its makers coordinate in.
type Webhook struct {
	ID             int64  `json:"id"`
	OrganisationID int64  `json:"organisation_id"`
	URL            string `json:"url"`
	// Events are the kinds it receives, or ["*"] for all.
	Events    []string  `json:"events"`
	Active    bool      `json:"active"`
	CreatedBy *int64    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// CreatedWebhook is a new webhook with its signing secret, which the hub
// never shows again. The secret is shared with the receiver: the hub keeps
// it in clear because it needs it to sign every delivery.
type CreatedWebhook struct {
	Webhook
	Secret string `json:"secret"`
}

// CreateWebhook adds a webhook to an organisation: coordinators for any
// organisation, other users for their own. events lists kinds (see Kinds)
// or "*" for all.
func (s *Service) CreateWebhook(ctx context.Context, orgID int64, rawURL string, events []string) (*CreatedWebhook, error) {
	u, err := requireOrgMember(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if rawURL, err = s.checkURL(rawURL); err != nil {
		return nil, err
	}
	if events, err = checkEvents(events); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := secretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	eventsJSON, _ := json.Marshal(events)
	now := s.now().UTC().Truncate(time.Millisecond)

	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*CreatedWebhook, error) {
		tx := s.q(ctx)
		if _, err := s.accounts.LookupOrganisation(ctx, orgID); err != nil {
			return nil, err
		}
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM webhooks WHERE organisation_id = ?`, orgID).Scan(&count); err != nil {
			return nil, err
		}
		if count >= MaxWebhooksPerOrganisation {
			return nil, makerhub.Errorf(makerhub.ECONFLICT, "Organisation %d already has %d webhooks, the most allowed: delete one first.", orgID, count)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO webhooks (organisation_id, url, events, secret, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, orgID, rawURL, string(eventsJSON), secret, u.ID, sqlite.FormatTime(now))
		if err != nil {
			return nil, fmt.Errorf("insert webhook: %w", err)
		}
		id, _ := res.LastInsertId()
		return &CreatedWebhook{Webhook: Webhook{ID: id, OrganisationID: orgID, URL: rawURL, Events: events, Active: true,
			CreatedBy: &u.ID, CreatedAt: now}, Secret: secret}, nil
	})
}

const webhookColumns = `id, organisation_id, url, events, active, created_by, created_at`

func scanWebhook(row interface{ Scan(...any) error }) (*Webhook, error) {
	var (
		w      Webhook
		events string
		by     sql.NullInt64
	)
	if err := row.Scan(&w.ID, &w.OrganisationID, &w.URL, &events, &w.Active, &by, sqlite.Time(&w.CreatedAt)); err != nil {
		return nil, err
	}
	if by.Valid {
		w.CreatedBy = &by.Int64
	}
	return &w, json.Unmarshal([]byte(events), &w.Events)
}

// FindWebhooks lists an organisation's webhooks, oldest first, for the same
// callers as CreateWebhook. Secrets are not shown.
func (s *Service) FindWebhooks(ctx context.Context, orgID int64) ([]*Webhook, error) {
	if _, err := requireOrgMember(ctx, orgID); err != nil {
		return nil, err
	}
	if _, err := s.accounts.LookupOrganisation(ctx, orgID); err != nil {
		return nil, err
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE organisation_id = ? ORDER BY id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, w)
	}
	return list, rows.Err()
}

// FindWebhookByID returns a webhook, for the same callers as CreateWebhook.
func (s *Service) FindWebhookByID(ctx context.Context, id int64) (*Webhook, error) {
	if _, err := makerhub.RequireUser(ctx); err != nil {
		return nil, err
	}
	return s.authorizedWebhook(ctx, s.q(ctx), id)
}

// authorizedWebhook loads webhook id and checks that the caller may manage it.
func (s *Service) authorizedWebhook(ctx context.Context, q sqlite.Queryer, id int64) (*Webhook, error) {
	w, err := scanWebhook(q.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
	if sqlite.NoRows(err) {
		return nil, makerhub.Errorf(makerhub.ENOTFOUND, "Webhook %d does not exist.", id)
	} else if err != nil {
		return nil, err
	}
	if _, err := requireOrgMember(ctx, w.OrganisationID); err != nil {
		return nil, err
	}
	return w, nil
}

// WebhookUpdate changes some of a webhook's settings; nil fields stay.
type WebhookUpdate struct {
	URL    *string   `json:"url"`
	Events *[]string `json:"events"`
	// Active false pauses the webhook: no deliveries are queued for it and
	// those already queued wait until it is active again.
	Active *bool `json:"active"`
}

// UpdateWebhook changes a webhook, for the same callers as CreateWebhook.
// Deliveries already queued go to the new URL.
func (s *Service) UpdateWebhook(ctx context.Context, id int64, in WebhookUpdate) (*Webhook, error) {
	if _, err := makerhub.RequireUser(ctx); err != nil {
		return nil, err
	}
	return sqlite.InTxValue(ctx, s.db, func(ctx context.Context) (*Webhook, error) {
		tx := s.q(ctx)
		w, err := s.authorizedWebhook(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if in.URL != nil {
			if w.URL, err = s.checkURL(*in.URL); err != nil {
				return nil, err
			}
		}
		if in.Events != nil {
			if w.Events, err = checkEvents(*in.Events); err != nil {
				return nil, err
			}
		}
		if in.Active != nil {
			w.Active = *in.Active
		}
		eventsJSON, _ := json.Marshal(w.Events)
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET url = ?, events = ?, active = ? WHERE id = ?`,
			w.URL, string(eventsJSON), w.Active, id); err != nil {
			return nil, err
		}
		return w, nil
	})
}

// DeleteWebhook removes a webhook together with its delivery log, for the
// same callers as CreateWebhook. A delivery being sent at that moment still
// arrives; none is sent afterwards.
func (s *Service) DeleteWebhook(ctx context.Context, id int64) error {
	if _, err := makerhub.RequireUser(ctx); err != nil {
		return err
	}
	return sqlite.InTx(ctx, s.db, func(ctx context.Context) error {
		tx := s.q(ctx)
		if _, err := s.authorizedWebhook(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, id); err != nil {
			return err
		}
		return nil
	})
}

// checkURL validates a webhook URL and returns it trimmed.
func (s *Service) checkURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", makerhub.Errorf(makerhub.EINVALID, "url is required: the http or https address that receives the notifications.")
	}
	if len(raw) > MaxURLLength {
		return "", makerhub.Errorf(makerhub.EINVALID, "url is %d characters long; the limit is %d.", len(raw), MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", makerhub.Errorf(makerhub.EINVALID, "url %q is not a valid URL: give an address such as https://chat.example.org/hooks/makers.", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", makerhub.Errorf(makerhub.EINVALID, "url must start with http:// or https:// (it is %q).", raw)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return "", makerhub.Errorf(makerhub.EINVALID, "url %q has no host: give an address such as https://chat.example.org/hooks/makers.", raw)
	}
	if !s.allowPrivate && !publicHost(u.Hostname()) {
		return "", makerhub.Errorf(makerhub.EINVALID, "url %q points to a local or private address; the hub only calls public addresses.", raw)
	}
	return raw, nil
}

// publicHost reports whether a URL's host may be public: any name but
// localhost, or a public IP address. Names are checked again when the
// connection is made (see newClient).
func publicHost(host string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		return publicAddr(a)
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h != "localhost" && !strings.HasSuffix(h, ".localhost")
}

// checkEvents validates an event filter and returns it without duplicates.
func checkEvents(events []string) ([]string, error) {
	if len(events) == 0 {
		return nil, makerhub.Errorf(makerhub.EINVALID, `events is required: list the kinds to receive (%s), or "*" for all.`, kindList())
	}
	out := []string{}
	for _, e := range events {
		e = strings.TrimSpace(e)
		if e != AllEvents && !knownKind(e) {
			return nil, makerhub.Errorf(makerhub.EINVALID, `events: %q is not a known kind: use %s, or "*" for all.`, e, kindList())
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	if slices.Contains(out, AllEvents) {
		return []string{AllEvents}, nil
	}
	return out, nil
}
