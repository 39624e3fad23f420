package ui

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

type libraryPage struct {
	Filter     designs.DesignFilter
	Categories []designs.Category
	Statuses   []designs.Status
	Licences   []designs.Licence
	Designs    []*designs.Design
	Total      int
	Prev, Next string
}

// HandleLibrary lists designs as cards, filtered by category, review
// status, licence and text, 24 a page.
func (s *Handler) HandleLibrary(c *gin.Context) {
	const perPage = 24
	l := i18n.Of(c.Request)
	p := libraryPage{
		Filter: designs.DesignFilter{Category: designs.Category(c.Query("category")), Status: designs.Status(c.Query("status")),
			Licence: c.Query("licence"), Query: c.Query("q"), Limit: perPage},
		Categories: designs.Categories(),
		Statuses:   []designs.Status{designs.Draft, designs.Submitted, designs.CommunityReviewed, designs.ClinicallyValidated, designs.Rejected},
		Licences:   designs.Licences(),
	}
	offset, err := httpx.QueryInt(c, "offset", 0, 0, 1<<31-1)
	if err == nil {
		p.Filter.Offset = offset
		p.Designs, p.Total, err = s.designs.FindDesigns(c.Request.Context(), p.Filter)
	}
	if err != nil {
		status, msg := s.formError(c, l, err)
		p.Designs, p.Total = nil, 0
		s.render(c, status, "designs", l.T("library.title"), &view{Section: "designs", Error: msg, Data: p})
		return
	}
	at := func(off int) string {
		q := c.Request.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		return "/designs?" + q.Encode()
	}
	if offset > 0 {
		p.Prev = at(max(0, offset-perPage))
	}
	if offset+perPage < p.Total {
		p.Next = at(offset + perPage)
	}
	s.render(c, http.StatusOK, "designs", l.T("library.title"), &view{Section: "designs", Data: p})
}
