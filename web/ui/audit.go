package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

// auditPerPage is how many entries of the trail a page shows.
const auditPerPage = 100

// auditPage is a page of the audit trail, newest first, with the filter it
// shows and the CSV of the same entries.
type auditPage struct {
	Entries            []*accounts.AuditEntry
	Action             string
	Total, First, Last int
	Prev, Next, CSV    string
}

// HandleAuditPage shows the audit trail to coordinators (the service
// refuses others), filtered by action.
func (s *Handler) HandleAuditPage(c *gin.Context) {
	if makerhub.UserFromContext(c.Request.Context()) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/dashboard/audit"))
		return
	}
	l := i18n.Of(c.Request)
	offset, err := httpx.QueryInt(c, "offset", 0, 0, 1<<31-1)
	p := auditPage{Action: strings.TrimSpace(c.Query("action")), First: offset + 1}
	if err == nil {
		p.Entries, p.Total, err = s.accounts.FindAudit(c.Request.Context(), accounts.AuditFilter{Action: p.Action, Offset: offset, Limit: auditPerPage})
	}
	if err != nil {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "error", l.T("error.title"), &view{Error: msg})
		return
	}
	q := url.Values{}
	if p.Action != "" {
		q.Set("action", p.Action)
	}
	at := func(offset int) string {
		q.Set("offset", strconv.Itoa(offset))
		return "/dashboard/audit?" + q.Encode()
	}
	p.Last = offset + len(p.Entries)
	if offset > 0 {
		p.Prev = at(max(0, offset-auditPerPage))
	}
	if offset+auditPerPage < p.Total {
		p.Next = at(offset + auditPerPage)
	}
	q.Set("offset", strconv.Itoa(offset))
	q.Set("limit", strconv.Itoa(auditPerPage))
	p.CSV = "/api/v1/audit.csv?" + q.Encode()
	s.render(c, http.StatusOK, "audit", l.T("audit.title"), &view{Section: "dashboard", Data: p})
}
