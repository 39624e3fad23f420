package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Request headers of a webhook delivery.
const (
	HeaderEvent     = "X-Makerhub-Event"     // the notification's kind
	HeaderDelivery  = "X-Makerhub-Delivery"  // the delivery ID, the same on every attempt
	HeaderTimestamp = "X-Makerhub-Timestamp" // Unix seconds when this attempt was signed
	HeaderSignature = "X-Makerhub-Signature" // "sha256=" + hex HMAC-SHA256 of timestamp + "." + body
)

// DefaultTolerance is how far a delivery's timestamp may be from the
// receiver's clock before VerifyTimestamp refuses it as a possible replay.
const DefaultTolerance = 5 * time.Minute

// ErrInvalidSignature is wrapped by every error of VerifySignature and
// VerifyTimestamp.
var ErrInvalidSignature = errors.New("invalid webhook signature")

// Sign returns the X-Makerhub-Signature value for a body sent at timestamp:
// "sha256=" and the hex HMAC-SHA256, keyed with the secret exactly as shown
// at creation, of the timestamp, a dot, and the body's bytes.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks an X-Makerhub-Signature header against the raw
// body and the X-Makerhub-Timestamp header, in constant time. The header may
// hold several comma-separated signatures (as when a secret is being
// replaced); one match is enough. It does not look at the time: call
// VerifyTimestamp as well, and ignore delivery IDs already processed.
func VerifySignature(secret, timestamp, body, header string) error {
	if secret == "" {
		return fmt.Errorf("%w: no secret to verify with", ErrInvalidSignature)
	}
	if timestamp == "" {
		return fmt.Errorf("%w: the %s header is missing", ErrInvalidSignature, HeaderTimestamp)
	}
	if strings.TrimSpace(header) == "" {
		return fmt.Errorf("%w: the %s header is missing", ErrInvalidSignature, HeaderSignature)
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, timestamp, []byte(body)), "sha256="))
	for part := range strings.SplitSeq(header, ",") {
		hexSum, ok := strings.CutPrefix(strings.TrimSpace(part), "sha256=")
		if !ok {
			continue
		}
		got, err := hex.DecodeString(hexSum)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: no sha256= signature in %s matches the body and timestamp", ErrInvalidSignature, HeaderSignature)
}

// VerifyTimestamp checks that an X-Makerhub-Timestamp header is within
// tolerance of now (DefaultTolerance if tolerance ≤ 0), so that a captured
// delivery cannot be replayed later. Every attempt is signed afresh, so
// retries pass.
func VerifyTimestamp(timestamp string, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s %q is not Unix seconds", ErrInvalidSignature, HeaderTimestamp, timestamp)
	}
	skew := now.Sub(time.Unix(sec, 0))
	if skew > tolerance || skew < -tolerance {
		return fmt.Errorf("%w: %s is %s away from now, beyond %s", ErrInvalidSignature, HeaderTimestamp, skew.Round(time.Second), tolerance)
	}
	return nil
}
