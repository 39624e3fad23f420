package accounts

import (
	"context"
	"strings"
	"testing"
)

func TestPasswordDefaults(t *testing.T) {
	h := newHasher(DefaultPasswordParams(), 1)
	ctx := context.Background()
	enc, err := h.hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not record the OWASP parameters", enc)
	}
	if ok, err := h.verify(ctx, "correct horse battery", enc); err != nil || !ok {
		t.Fatalf("verify right password = %v, %v", ok, err)
	}
	if ok, _ := h.verify(ctx, "correct horse batterY", enc); ok {
		t.Fatal("wrong password verified")
	}
	// Hashes made with other parameters stay verifiable.
	old := newHasher(PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}, 1)
	enc2, _ := old.hash(ctx, "pw")
	if ok, err := h.verify(ctx, "pw", enc2); err != nil || !ok {
		t.Fatalf("verify with other parameters = %v, %v", ok, err)
	}
	// Two hashes of the same password differ (random salt).
	enc3, _ := h.hash(ctx, "correct horse battery")
	if enc3 == enc {
		t.Fatal("same hash twice: salt is not random")
	}
}

func TestDecodeHashRejectsGarbage(t *testing.T) {
	for _, bad := range []string{"", "plain", "$2a$10$bcrypt", "$argon2id$v=18$m=1,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=x$c2FsdA$a2V5", "$argon2id$v=19$m=1,t=1,p=1$!!$a2V5", "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$"} {
		if _, _, _, err := decodeHash(bad); err == nil {
			t.Errorf("decodeHash(%q) accepted", bad)
		}
	}
}

func TestHasherBoundsConcurrency(t *testing.T) {
	h := newHasher(PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}, 1)
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.hash(ctx, "pw"); err == nil {
		t.Fatal("hash ran while the only slot was taken")
	}
	h.release()
}
