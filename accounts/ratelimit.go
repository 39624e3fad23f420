package accounts

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LoginLimits bounds login attempts. Per account, only failures count, so a
// user who types the password right is never locked out by an attacker's
// guesses beyond the burst; per client IP, every attempt counts. The limits
// live in the process's memory: a restart forgets them, which is acceptable
// for a single-process hub.
type LoginLimits struct {
	AccountBurst    int           // failed logins allowed at once for one account
	AccountInterval time.Duration // then one more per interval
	IPBurst         int           // attempts allowed at once from one IP
	IPInterval      time.Duration // then one more per interval
}

// DefaultLoginLimits: 5 failures per account then one a minute; 30 attempts
// per IP then one every 2 seconds (a hospital's staff often share one IP).
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{
		AccountBurst: 5, AccountInterval: time.Minute,
		IPBurst: 30, IPInterval: 2 * time.Second,
	}
}

// limiterSet is a map of token buckets, one per key, that forgets buckets that
// have refilled so it cannot grow without bound.
type limiterSet struct {
	mu       sync.Mutex
	burst    int
	interval time.Duration
	m        map[string]*rate.Limiter
}

const maxLimiters = 10000

func newLimiterSet(burst int, interval time.Duration) *limiterSet {
	return &limiterSet{burst: burst, interval: interval, m: map[string]*rate.Limiter{}}
}

func (s *limiterSet) get(key string, now time.Time) *rate.Limiter {
	l, ok := s.m[key]
	if !ok {
		if len(s.m) >= maxLimiters {
			s.sweep(now)
		}
		l = rate.NewLimiter(rate.Every(s.interval), s.burst)
		s.m[key] = l
	}
	return l
}

// sweep forgets full buckets: a full bucket behaves exactly like a new one.
func (s *limiterSet) sweep(now time.Time) {
	for k, l := range s.m {
		if l.TokensAt(now) >= float64(s.burst) {
			delete(s.m, k)
		}
	}
}

// wait returns how long until key has one token, without taking it.
func (s *limiterSet) wait(key string, now time.Time) time.Duration {
	if s.burst <= 0 {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return untilToken(s.get(key, now).TokensAt(now), s.interval)
}

// take takes one token for key if there is one; otherwise it returns how long
// until there will be.
func (s *limiterSet) take(key string, now time.Time) (ok bool, retry time.Duration) {
	if s.burst <= 0 {
		return true, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.get(key, now)
	if l.AllowN(now, 1) {
		return true, 0
	}
	return false, untilToken(l.TokensAt(now), s.interval)
}

func untilToken(tokens float64, interval time.Duration) time.Duration {
	if tokens >= 1 {
		return 0
	}
	d := time.Duration((1 - tokens) * float64(interval))
	// Round up to whole seconds: Retry-After is sent in seconds, and
	// rounding down would invite a retry that fails again.
	return (d + time.Second - 1).Truncate(time.Second)
}
