package accounts

import (
	"sync"
	"time"

	"github.com/makerhub/makerhub"
)

// authTTL is how long an authenticated token is remembered in memory.
//
// Every API call authenticates, and under load that one query was a fifth
// of the hub's CPU: each commit (a claim, say) makes every other SQLite
// connection drop its page cache, so the lookup reads its pages anew. A
// token seen in the last few seconds is answered from memory instead. Every
// change this service makes that could change an answer — revoking a token
// (logout too), verifying an organisation — empties the cache, so within
// this process nothing stale is ever served; a change made by another
// process (none does today) would show within authTTL. Expiry is checked on
// every hit.
const authTTL = 5 * time.Second

// authCacheMax bounds the cache; past it, it starts over.
const authCacheMax = 100_000

type authEntry struct {
	user    makerhub.User
	org     *makerhub.Organisation
	tokenID int64
	expires *time.Time
	at      time.Time
}

type authCache struct {
	mu sync.Mutex
	m  map[string]authEntry
	// gen counts clears: an answer read from the database before a clear
	// is not stored after it.
	gen uint64
}

// generation is read before a lookup in the database, and given to put.
func (c *authCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get returns a copy of the user a token hash authenticated lately.
func (c *authCache) get(hash string, now time.Time) (*makerhub.User, int64, bool) {
	c.mu.Lock()
	e, ok := c.m[hash]
	c.mu.Unlock()
	if !ok || now.Sub(e.at) >= authTTL || now.Before(e.at) || (e.expires != nil && !now.Before(*e.expires)) {
		return nil, 0, false
	}
	u := e.user
	if e.org != nil {
		org := *e.org
		u.Organisation = &org
	}
	return &u, e.tokenID, true
}

func (c *authCache) put(gen uint64, hash string, u *makerhub.User, tokenID int64, expires *time.Time, now time.Time) {
	e := authEntry{user: *u, tokenID: tokenID, expires: expires, at: now}
	if u.Organisation != nil {
		org := *u.Organisation
		e.org = &org
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // something changed while the answer was read
	}
	if c.m == nil || len(c.m) >= authCacheMax {
		c.m = map[string]authEntry{}
	}
	c.m[hash] = e
}

// clear forgets every token: called by every change that could alter
// what a token authenticates as.
func (c *authCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.gen++
	c.mu.Unlock()
}
