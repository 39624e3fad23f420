package notify_test

import (
	"errors"
	"testing"
	"time"

	"github.com/makerhub/makerhub/production/notify"
)

// The expected value was computed with OpenSSL:
//
//	printf '%s' '1774000800.{"id":1}' | openssl dgst -sha256 -hmac 'mhwh_test'
const knownSignature = "sha256=786172710dddfa57a82eb8d42d00027101ba26c02d4707fcbc35e24415f8789c"

func TestSignMatchesOpenSSL(t *testing.T) {
	if got := notify.Sign("mhwh_test", "1774000800", []byte(`{"id":1}`)); got != knownSignature {
		t.Errorf("Sign = %s, want %s", got, knownSignature)
	}
}

func TestVerifySignature(t *testing.T) {
	const secret, ts, body = "mhwh_test", "1774000800", `{"id":1}`
	other := notify.Sign("mhwh_other", ts, []byte(body))
	for _, c := range []struct {
		name                     string
		secret, ts, body, header string
		ok                       bool
	}{
		{"valid", secret, ts, body, knownSignature, true},
		{"upper-case hex", secret, ts, body, "sha256=786172710DDDFA57A82EB8D42D00027101BA26C02D4707FCBC35E24415F8789C", true},
		{"one of several (secret rotation)", secret, ts, body, other + ", " + knownSignature, true},
		{"wrong secret", "mhwh_other", ts, body, knownSignature, false},
		{"other timestamp", secret, "1774000801", body, knownSignature, false},
		{"body re-encoded", secret, ts, `{"id": 1}`, knownSignature, false},
		{"no prefix", secret, ts, body, knownSignature[len("sha256="):], false},
		{"sha1 prefix", secret, ts, body, "sha1=" + knownSignature[len("sha256="):], false},
		{"not hex", secret, ts, body, "sha256=zz", false},
		{"truncated", secret, ts, body, knownSignature[:40], false},
		{"missing header", secret, ts, body, "", false},
		{"missing timestamp", secret, "", body, knownSignature, false},
		{"empty secret", "", ts, body, notify.Sign("", ts, []byte(body)), false},
	} {
		err := notify.VerifySignature(c.secret, c.ts, c.body, c.header)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && !errors.Is(err, notify.ErrInvalidSignature) {
			t.Errorf("%s: %v does not wrap ErrInvalidSignature", c.name, err)
		}
	}
}

func TestVerifyTimestamp(t *testing.T) {
	now := time.Unix(1774000800, 0)
	for _, c := range []struct {
		ts string
		ok bool
	}{
		{"1774000800", true},
		{"1774000500", true},  // 5 min old
		{"1774001100", true},  // 5 min ahead (clock skew)
		{"1774000499", false}, // replayed later
		{"1774001101", false},
		{"", false},
		{"1774000800.5", false},
		{"99999999999999999999", false},
	} {
		err := notify.VerifyTimestamp(c.ts, now, 0)
		if (err == nil) != c.ok {
			t.Errorf("VerifyTimestamp(%q) = %v, want ok=%v", c.ts, err, c.ok)
		}
	}
	if err := notify.VerifyTimestamp("1774000000", now, time.Hour); err != nil {
		t.Errorf("a wider tolerance: %v", err)
	}
}
