package notify_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/production/notify"
)

// TestWebhookAuthorization runs every webhook operation on the maker
// group's webhook as each kind of caller.
func TestWebhookAuthorization(t *testing.T) {
	e := newEnv(t, nil)
	org := e.maker.OrganisationID()
	hook := e.webhook(e.maker, "https://chat.example.org/hooks/a")
	e.enqueue(jobOffered(e.maker, 1))
	failed := e.only(hook).ID
	if _, err := e.db.Exec(`UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = ?`, failed); err != nil {
		t.Fatal(err)
	}

	ops := []struct {
		name string
		call func(u *makerhub.User) error
	}{
		{"create", func(u *makerhub.User) error {
			_, err := e.svc.CreateWebhook(as(u), org, "https://chat.example.org/hooks/b", []string{"*"})
			return err
		}},
		{"list", func(u *makerhub.User) error { _, err := e.svc.FindWebhooks(as(u), org); return err }},
		{"get", func(u *makerhub.User) error { _, err := e.svc.FindWebhookByID(as(u), hook.ID); return err }},
		{"update", func(u *makerhub.User) error {
			_, err := e.svc.UpdateWebhook(as(u), hook.ID, notify.WebhookUpdate{Active: ptr(true)})
			return err
		}},
		{"deliveries", func(u *makerhub.User) error {
			_, _, err := e.svc.FindDeliveries(as(u), hook.ID, notify.DeliveryFilter{})
			return err
		}},
		{"retry", func(u *makerhub.User) error {
			_, err := e.svc.RetryDelivery(as(u), failed)
			if makerhub.ErrorCode(err) == makerhub.ECONFLICT {
				return nil // allowed, and already retried by an earlier caller
			}
			return err
		}},
	}
	callers := []struct {
		who  string
		u    *makerhub.User
		want string
	}{
		{"anonymous", nil, makerhub.EUNAUTHORIZED},
		{"maker of another group", e.other, makerhub.EFORBIDDEN},
		{"hospital staff", e.nurse, makerhub.EFORBIDDEN},
		{"maker of the group", e.maker, ""},
		{"another user of the group", e.mate, ""},
		{"coordinator", e.coord, ""},
	}
	for _, c := range callers {
		for _, op := range ops {
			if got := makerhub.ErrorCode(op.call(c.u)); got != c.want {
				t.Errorf("%s by %s: code %q, want %q", op.name, c.who, got, c.want)
			}
		}
	}
	// Deleting last: anonymous and strangers first, then the owner.
	wantCode(t, e.svc.DeleteWebhook(as(nil), hook.ID), makerhub.EUNAUTHORIZED, "")
	wantCode(t, e.svc.DeleteWebhook(as(e.other), hook.ID), makerhub.EFORBIDDEN, "your own organisation")
	if err := e.svc.DeleteWebhook(as(e.mate), hook.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.svc.DeleteWebhook(as(e.maker), hook.ID), makerhub.ENOTFOUND, "does not exist")
	if n := e.count("webhook_deliveries"); n != 0 {
		t.Errorf("%d deliveries left after deleting their webhook", n)
	}

	// A hospital manages its own webhooks; coordinators any organisation's.
	if _, err := e.svc.CreateWebhook(as(e.nurse), e.nurse.OrganisationID(), "https://chat.example.org/ward", []string{notify.KindRequestAllocated}); err != nil {
		t.Errorf("hospital creating its own webhook: %v", err)
	}
	if list, err := e.svc.FindWebhooks(as(e.coord), e.nurse.OrganisationID()); err != nil || len(list) != 1 {
		t.Errorf("coordinator listing a hospital's webhooks = %d, %v", len(list), err)
	}
	_, err := e.svc.CreateWebhook(as(e.coord), 9999, "https://chat.example.org/x", []string{"*"})
	wantCode(t, err, makerhub.ENOTFOUND, "organisation 9999")
}

func TestWebhookValidation(t *testing.T) {
	e := newEnv(t, nil)
	org := e.maker.OrganisationID()
	for _, c := range []struct {
		url, msg string
	}{
		{"", "url is required"},
		{"   ", "url is required"},
		{"ftp://files.example.org/in", "http:// or https://"},
		{"javascript:alert(1)", "http:// or https://"},
		{"chat.example.org/hook", "http:// or https://"},
		{"http://", "has no host"},
		{"https:///hooks", "has no host"},
		{"http:opaque", "has no host"},
		{"https://chat.example.org/%zz", "not a valid url"},
		{"https://chat.example.org/" + strings.Repeat("a", 2000), "url is 2025 characters long; the limit is 2000"},
	} {
		_, err := e.svc.CreateWebhook(as(e.maker), org, c.url, []string{"*"})
		wantCode(t, err, makerhub.EINVALID, c.msg)
	}
	for _, c := range []struct {
		events []string
		msg    string
	}{
		{nil, "events is required"},
		{[]string{}, "events is required"},
		{[]string{"job.offerd"}, `events: "job.offerd" is not a known kind`},
		{[]string{notify.KindRecall, ""}, `events: "" is not a known kind`},
		{[]string{"all"}, "events"},
	} {
		_, err := e.svc.CreateWebhook(as(e.maker), org, "https://chat.example.org/h", c.events)
		wantCode(t, err, makerhub.EINVALID, c.msg)
	}
	hook := e.webhook(e.maker, "https://chat.example.org/h", notify.KindRecall, notify.KindJobOffered, notify.KindRecall)
	_, err := e.svc.UpdateWebhook(as(e.maker), hook.ID, notify.WebhookUpdate{URL: ptr("gopher://x")})
	wantCode(t, err, makerhub.EINVALID, "url")
	_, err = e.svc.UpdateWebhook(as(e.maker), hook.ID, notify.WebhookUpdate{Events: &[]string{"nope"}})
	wantCode(t, err, makerhub.EINVALID, "events")
	_, _, err = e.svc.FindDeliveries(as(e.maker), hook.ID, notify.DeliveryFilter{Status: "lost"})
	wantCode(t, err, makerhub.EINVALID, "status")

	// Duplicates are dropped; "*" stands alone.
	if fmt.Sprint(hook.Events) != "[recall job.offered]" {
		t.Errorf("events = %v", hook.Events)
	}
	w, err := e.svc.UpdateWebhook(as(e.maker), hook.ID, notify.WebhookUpdate{Events: &[]string{notify.KindRecall, "*"}})
	if err != nil || fmt.Sprint(w.Events) != "[*]" {
		t.Errorf("events = %v, %v; want [*]", w.Events, err)
	}

	// The secret is shown once, and never listed.
	if !strings.HasPrefix(hook.Secret, "mhwh_") || len(hook.Secret) != 5+43 {
		t.Errorf("secret %q is not mhwh_ and 32 bytes in base64url", hook.Secret)
	}
	list, err := e.svc.FindWebhooks(as(e.maker), org)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(list)
	if strings.Contains(string(b), hook.Secret) {
		t.Error("FindWebhooks shows the secret")
	}

	// At most MaxWebhooksPerOrganisation.
	for i := len(list); i < notify.MaxWebhooksPerOrganisation; i++ {
		e.webhook(e.maker, fmt.Sprintf("https://chat.example.org/%d", i))
	}
	_, err = e.svc.CreateWebhook(as(e.maker), org, "https://chat.example.org/one-too-many", []string{"*"})
	wantCode(t, err, makerhub.ECONFLICT, "delete one first")
}

func TestPrivateAddressesRefusedByDefault(t *testing.T) {
	e := newEnv(t, func(o *notify.Options) { o.AllowPrivateNetworks = false })
	org := e.maker.OrganisationID()
	for _, u := range []string{
		"http://localhost:8080/hook",
		"http://LOCALHOST./hook",
		"http://api.localhost/hook",
		"http://127.0.0.1/hook",
		"http://10.1.2.3/hook",
		"http://192.168.1.10/hook",
		"http://169.254.169.254/latest/meta-data/",
		"http://100.64.0.1/hook",
		"http://0.0.0.0/hook",
		"http://[::1]/hook",
		"http://[fd00::1]/hook",
		"http://[::ffff:127.0.0.1]/hook",
	} {
		_, err := e.svc.CreateWebhook(as(e.maker), org, u, []string{"*"})
		wantCode(t, err, makerhub.EINVALID, "local or private address")
	}
	for _, u := range []string{"https://chat.example.org/hook", "http://203.0.113.7:8080/hook", "https://[2001:db8::1]/"} {
		if _, err := e.svc.CreateWebhook(as(e.maker), org, u, []string{"*"}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}

	// A name that resolves to loopback passes creation (names are not
	// resolved then) but the connection is refused, so nothing arrives.
	rc := newReceiver(t, nil)
	permissive := e.service(e.db, nil)
	port := rc.URL[strings.LastIndex(rc.URL, ":")+1:]
	hook, err := permissive.CreateWebhook(as(e.other), e.other.OrganisationID(), "http://localhost:"+port+"/hook", []string{"*"})
	if err != nil {
		t.Fatal(err)
	}
	e.enqueue(jobOffered(e.other, 1))
	e.deliverDue(1)
	d := e.only(hook)
	if d.Status != notify.StatusPending || d.LastStatusCode != nil || !strings.Contains(d.LastError, "not a public address") {
		t.Errorf("delivery to localhost: %+v", d)
	}
	if n := len(rc.requests()); n != 0 {
		t.Errorf("the loopback receiver got %d requests", n)
	}
}
