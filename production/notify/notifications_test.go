package notify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/production/notify"
)

func TestEnqueueInRolledBackTransactionLeavesNothing(t *testing.T) {
	e := newEnv(t, nil)
	rc := newReceiver(t, nil)
	e.webhook(e.maker, rc.URL)
	ctx := context.Background()

	failed := errors.New("the domain's change failed")
	err := sqlite.InTx(ctx, e.db, func(ctx context.Context) error {
		if err := e.svc.Enqueue(ctx, jobOffered(e.maker, 1)); err != nil {
			t.Fatal(err)
		}
		// The domain's change fails after the notification was enqueued.
		return failed
	})
	if err != failed {
		t.Fatalf("InTx = %v, want the domain's error", err)
	}
	if n := e.count("notifications"); n != 0 {
		t.Errorf("%d notifications after rollback, want 0", n)
	}
	if n := e.count("webhook_deliveries"); n != 0 {
		t.Errorf("%d deliveries after rollback, want 0", n)
	}
	list, total, err := e.svc.FindNotifications(as(e.maker), notify.NotificationFilter{})
	if err != nil || total != 0 || len(list) != 0 {
		t.Errorf("FindNotifications after rollback = %d (total %d), %v; want none", len(list), total, err)
	}
	e.deliverDue(0)
	if got := rc.requests(); len(got) != 0 {
		t.Errorf("receiver got %d requests for a rolled-back notification", len(got))
	}
}

func TestEnqueueManyIsAllOrNothing(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	bad := []notify.Notification{
		{Kind: notify.KindRecall, Title: "no addressee"},
		{UserID: &e.maker.ID, Kind: "job.offerd", Title: "unknown kind"},
		{UserID: &e.maker.ID, Kind: notify.KindRecall, Title: "  "},
		{UserID: &e.maker.ID, Kind: notify.KindRecall, Title: "two\nlines"},
		{UserID: &e.maker.ID, Kind: notify.KindRecall, Title: "offsite", Link: "https://evil.example/"},
		{UserID: &e.maker.ID, Kind: notify.KindRecall, Title: "protocol-relative", Link: "//evil.example/"},
		{UserID: &e.maker.ID, Kind: notify.KindRecall, Title: "bad data", Data: []byte(`{"a":`)},
	}
	for _, n := range bad {
		// The caller commits anyway: nothing of the refused batch is written.
		if err := sqlite.InTx(ctx, e.db, func(ctx context.Context) error {
			good := notify.Notification{UserID: &e.maker.ID, Kind: notify.KindRecall, Title: "fine"}
			if err := e.svc.EnqueueMany(ctx, []notify.Notification{good, n}); err == nil {
				t.Errorf("EnqueueMany accepted %q", n.Title)
			} else if makerhub.ErrorCode(err) != makerhub.EINTERNAL {
				t.Errorf("%q: code %s, want internal (a caller's bug)", n.Title, makerhub.ErrorCode(err))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count("notifications"); n != 0 {
		t.Errorf("%d notifications written by refused batches, want 0", n)
	}
}

func TestNotificationsReachTheirAddressees(t *testing.T) {
	e := newEnv(t, nil)
	e.enqueue(
		jobOffered(e.maker, 1), // the maker group: maker and mate
		notify.Notification{UserID: &e.maker.ID, Kind: notify.KindLeaseExpiring, Title: "Your claim on job 1 lapses in 1 h"},
		notify.Notification{OrganisationID: ptr(e.nurse.OrganisationID()), Kind: notify.KindRequestAllocated, Title: "Request 5 allocated"},
		notify.Notification{UserID: &e.coord.ID, Kind: notify.KindRequestUnallocatable, Title: "Request 6: 20 units unallocated"},
	)
	titles := func(u *makerhub.User, f notify.NotificationFilter) ([]string, int) {
		t.Helper()
		list, total, err := e.svc.FindNotifications(as(u), f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range list {
			out = append(out, n.Title)
		}
		return out, total
	}
	for _, c := range []struct {
		who  string
		u    *makerhub.User
		want []string
	}{
		{"maker", e.maker, []string{"Your claim on job 1 lapses in 1 h", "Job 1 offered: 40 face shields"}},
		{"mate", e.mate, []string{"Job 1 offered: 40 face shields"}},
		{"other maker", e.other, nil},
		{"hospital", e.nurse, []string{"Request 5 allocated"}},
		{"coordinator", e.coord, []string{"Request 6: 20 units unallocated"}},
	} {
		got, total := titles(c.u, notify.NotificationFilter{})
		if total != len(c.want) || len(got) != len(c.want) {
			t.Errorf("%s sees %q (total %d), want %q", c.who, got, total, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s sees %q, want %q (newest first)", c.who, got, c.want)
			}
		}
	}

	// Reading is per user: the maker reading the group's notification
	// leaves it unread for the mate.
	list, _, _ := e.svc.FindNotifications(as(e.mate), notify.NotificationFilter{})
	offer := list[0]
	if offer.ReadAt != nil || string(offer.Data) != `{"job_id":1,"quantity":40}` || offer.Link != "/api/v1/jobs/1" {
		t.Errorf("offer = %+v (data %s)", offer, offer.Data)
	}
	if err := e.svc.MarkRead(as(e.maker), offer.ID); err != nil {
		t.Fatal(err)
	}
	firstRead := e.clock.Now()
	e.clock.Add(time.Hour)
	if err := e.svc.MarkRead(as(e.maker), offer.ID); err != nil {
		t.Fatalf("marking read twice: %v", err)
	}
	if got, total := titles(e.maker, notify.NotificationFilter{UnreadOnly: true}); total != 1 || len(got) != 1 || got[0] != "Your claim on job 1 lapses in 1 h" {
		t.Errorf("maker's unread = %q (total %d)", got, total)
	}
	if _, total := titles(e.mate, notify.NotificationFilter{UnreadOnly: true}); total != 1 {
		t.Errorf("mate's unread total = %d after the maker read the group's notification, want 1", total)
	}
	list, _, _ = e.svc.FindNotifications(as(e.maker), notify.NotificationFilter{})
	if r := list[1].ReadAt; r == nil || !r.Equal(firstRead) {
		t.Errorf("read_at = %v, want the first read %v", r, firstRead)
	}

	// Another's notification is not found, not forbidden; the caller must
	// be logged in.
	wantCode(t, e.svc.MarkRead(as(e.other), offer.ID), makerhub.ENOTFOUND, "no notification")
	wantCode(t, e.svc.MarkRead(as(e.coord), offer.ID), makerhub.ENOTFOUND, "")
	wantCode(t, e.svc.MarkRead(as(e.maker), 9999), makerhub.ENOTFOUND, "")
	wantCode(t, e.svc.MarkRead(as(nil), offer.ID), makerhub.EUNAUTHORIZED, "log in")
	_, _, err := e.svc.FindNotifications(as(nil), notify.NotificationFilter{})
	wantCode(t, err, makerhub.EUNAUTHORIZED, "")
	_, _, err = e.svc.FindNotifications(as(e.maker), notify.NotificationFilter{Offset: -1})
	wantCode(t, err, makerhub.EINVALID, "offset")

	n, err := e.svc.MarkAllRead(as(e.mate))
	if err != nil || n != 1 {
		t.Errorf("MarkAllRead = %d, %v; want 1", n, err)
	}
	if _, total := titles(e.mate, notify.NotificationFilter{UnreadOnly: true}); total != 0 {
		t.Errorf("mate has %d unread after MarkAllRead", total)
	}
	if _, total := titles(e.maker, notify.NotificationFilter{UnreadOnly: true}); total != 1 {
		t.Errorf("the mate's MarkAllRead changed the maker's unread count to %d", total)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t, nil)
	var ns []notify.Notification
	for i := 1; i <= 7; i++ {
		ns = append(ns, jobOffered(e.maker, i))
	}
	e.enqueue(ns...)
	list, total, err := e.svc.FindNotifications(as(e.maker), notify.NotificationFilter{Offset: 2, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if total != 7 || len(list) != 3 || list[0].Link != "/api/v1/jobs/5" || list[2].Link != "/api/v1/jobs/3" {
		t.Errorf("page = %d items (total %d), first %q", len(list), total, list[0].Link)
	}
}

func TestEventFilterSelectsDeliveries(t *testing.T) {
	e := newEnv(t, nil)
	rc := newReceiver(t, nil)
	offers := e.webhook(e.maker, rc.URL+"/offers", notify.KindJobOffered)
	all := e.webhook(e.maker, rc.URL+"/all", "*")
	recalls := e.webhook(e.maker, rc.URL+"/recalls", notify.KindRecall)
	paused := e.webhook(e.maker, rc.URL+"/paused", "*")
	if _, err := e.svc.UpdateWebhook(as(e.maker), paused.ID, notify.WebhookUpdate{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	others := e.webhook(e.other, rc.URL+"/others", "*")

	e.enqueue(
		jobOffered(e.maker, 1),
		notify.Notification{OrganisationID: ptr(e.maker.OrganisationID()), Kind: notify.KindLeaseExpiring, Title: "Lease"},
		// Addressed to a user only: no organisation's webhook gets it.
		notify.Notification{UserID: &e.maker.ID, Kind: notify.KindJobOffered, Title: "Personal"},
	)
	for _, c := range []struct {
		w    *notify.CreatedWebhook
		want int
	}{{offers, 1}, {all, 2}, {recalls, 0}, {paused, 0}, {others, 0}} {
		if got := len(e.deliveries(c.w)); got != c.want {
			t.Errorf("webhook %s has %d deliveries, want %d", c.w.URL, got, c.want)
		}
	}
	e.deliverDue(3)
	byPath := map[string][]string{}
	for _, r := range rc.requests() {
		byPath[r.path] = append(byPath[r.path], r.header.Get(notify.HeaderEvent))
	}
	if len(byPath["/offers"]) != 1 || byPath["/offers"][0] != notify.KindJobOffered || len(byPath["/all"]) != 2 || len(byPath) != 2 {
		t.Errorf("receiver got %v", byPath)
	}
}
