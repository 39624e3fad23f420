package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/internal/sqlite"
	"github.com/makerhub/makerhub/web/httpx"
)

// auditFilter reads the audit log's filters: actor, action, target_type,
// target_id, from, to, offset and limit.
func auditFilter(c *gin.Context, maxLimit int) (accounts.AuditFilter, error) {
	f := accounts.AuditFilter{Action: c.Query("action"), TargetType: c.Query("target_type")}
	var err error
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"actor", &f.ActorID}, {"target_id", &f.TargetID}} {
		n, err := httpx.QueryInt(c, p.name, 0, 0, 1<<31-1)
		if err != nil {
			return f, err
		}
		*p.dst = int64(n)
	}
	if f.Since, err = queryTime(c, "from"); err != nil {
		return f, err
	}
	if f.Until, err = queryTime(c, "to"); err != nil {
		return f, err
	}
	f.Offset, f.Limit, err = page(c, 100, maxLimit)
	return f, err
}

// HandleAuditList lists coordinators' actions, newest first
// (coordinators).
func (s *Handler) HandleAuditList(c *gin.Context) {
	f, err := auditFilter(c, 1000)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	entries, total, err := s.accounts.FindAudit(c.Request.Context(), f)
	s.reply(c, http.StatusOK, list[*accounts.AuditEntry]{Items: entries, Total: total, Offset: f.Offset, Limit: f.Limit}, err)
}

// HandleAuditCSV is the audit log as a spreadsheet opens it: UTF-8 with a
// byte-order mark, CRLF, one entry a row, up to 1,000 at a time (offset
// pages on).
func (s *Handler) HandleAuditCSV(c *gin.Context) {
	f, err := auditFilter(c, 1000)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	entries, _, err := s.accounts.FindAudit(c.Request.Context(), f)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="makerhub-audit-%s.csv"`, time.Now().UTC().Format(time.DateOnly)))
	c.Status(http.StatusOK)
	if _, err := c.Writer.WriteString("\ufeff"); err != nil {
		return
	}
	w := csv.NewWriter(c.Writer)
	w.UseCRLF = true
	_ = w.Write([]string{"id", "at_utc", "actor_id", "action", "target_type", "target_id", "summary", "before", "after"})
	for _, e := range entries {
		_ = w.Write([]string{strconv.FormatInt(e.ID, 10), sqlite.FormatTime(e.At), strconv.FormatInt(e.ActorID, 10), e.Action, e.TargetType,
			strconv.FormatInt(e.TargetID, 10), e.Summary, e.Before, e.After})
	}
	w.Flush()
}
