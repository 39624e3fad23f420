package notify

import (
	"fmt"
	netmail "net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP is the server the hub sends mail through, and the address it
// sends from.
type SMTP struct {
	host       string
	port       int
	tls        gomail.TLSPolicy
	implicit   bool // TLS from the first byte (smtps), not STARTTLS
	user, pass string
	from       string
	timeout    time.Duration
}

// ParseSMTP reads the server from a URL and the sender from an address:
//
//	smtp://user:pass@mail.example.org:587   STARTTLS, required (default port 587)
//	smtps://user:pass@mail.example.org      TLS from the start (default port 465)
//	smtp://relay.lan:25?tls=opportunistic   STARTTLS when the server offers it
//	smtp://127.0.0.1:1025?tls=none          no TLS: a relay on the same machine
//
// from is the From address, such as "makerhub <hub@example.org>".
func ParseSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("--smtp-url %q is not a URL: %v; write it as smtp://user:password@host:587", redact(rawURL), err)
	}
	s := &SMTP{host: u.Hostname(), tls: gomail.TLSMandatory, timeout: 30 * time.Second}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicit = 465, true
	default:
		return nil, fmt.Errorf("--smtp-url %q: the scheme must be smtp (STARTTLS) or smtps (TLS from the start), not %q", redact(rawURL), u.Scheme)
	}
	if s.host == "" {
		return nil, fmt.Errorf("--smtp-url %q names no host: write it as smtp://user:password@host:587", redact(rawURL))
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("--smtp-url %q: port %q is not a port number", redact(rawURL), p)
		}
	}
	switch t := u.Query().Get("tls"); {
	case t == "" || t == "starttls":
	case t == "opportunistic" && !s.implicit:
		s.tls = gomail.TLSOpportunistic
	case t == "none" && !s.implicit:
		s.tls = gomail.NoTLS
	default:
		return nil, fmt.Errorf("--smtp-url %q: tls=%q is not one of starttls, opportunistic, none (and smtps is always TLS)", redact(rawURL), t)
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("--mail-from %q is not an e-mail address (%v): write it as \"makerhub <hub@example.org>\"", from, err)
	}
	s.from = a.String()
	return s, nil
}

// String names the server for logs, without its password.
func (s *SMTP) String() string {
	scheme := "smtp"
	if s.implicit {
		scheme = "smtps"
	}
	return fmt.Sprintf("%s://%s:%d (%s)", scheme, s.host, s.port, s.tls)
}

// redact hides a URL's password, for error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// client returns a go-mail client for the server.
func (s *SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTLSPolicy(s.tls), gomail.WithTimeout(s.timeout)}
	if s.implicit {
		opts = append(opts, gomail.WithSSL())
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	return gomail.NewClient(s.host, opts...)
}
