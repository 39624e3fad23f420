package ui

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/designs/stl"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/i18n"
)

var bedNames = func() map[string]string {
	m := map[string]string{}
	for _, b := range stl.Beds() {
		m[b.ID] = b.Name
	}
	return m
}()

type designPage struct {
	BedName  map[string]string // stl.Beds() by ID
	Design   *designs.Design
	Versions []*designs.Version
	Shown    *designs.Version // ?version=N, else the current one, else the newest the caller may see
	Done     string           // the catalogue key of what the last action did
	Assets   assets
	STL      *designs.File // the shown version's first STL, for the 3D viewer
	// What the user may do: the author and coordinators upload to a draft,
	// publish it and open new versions; coordinators review.
	Editable, Reviewer bool
	HasDraft           bool // the design has a draft version already
	MaxUploadMB        int64
}

// HandleDesignPage shows a design: its picture and 3D view, facts,
// licence, the files of a version with their analysis (size, volume,
// watertightness, print time, filament, the beds it fits), its versions,
// and the forms of what the user may do with it.
func (s *Handler) HandleDesignPage(c *gin.Context) {
	s.designPage(c, http.StatusOK, "", c.Query("done"))
}

func (s *Handler) designPage(c *gin.Context, status int, errMsg, done string) {
	l := i18n.Of(c.Request)
	ctx := c.Request.Context()
	fail := func(err error) {
		status, msg := s.formError(c, l, err)
		s.render(c, status, "error", l.T("error.title"), &view{Error: msg})
	}
	id, err := httpx.PathID(c, "Design")
	if err != nil {
		fail(err)
		return
	}
	p := designPage{BedName: bedNames, Assets: built, MaxUploadMB: s.maxUpload >> 20}
	if done != "" && l.Has("done."+done) {
		p.Done = "done." + done
	}
	if p.Design, err = s.designs.FindDesignByID(ctx, id); err != nil {
		fail(err)
		return
	}
	if p.Versions, err = s.designs.FindVersions(ctx, id); err != nil {
		fail(err)
		return
	}
	want := 0
	if p.Design.CurrentVersion != nil {
		want = *p.Design.CurrentVersion
	}
	raw := c.Query("version")
	if raw == "" && c.Param("n") != "" {
		raw = c.Param("n") // an action on a version shows that version
	}
	if raw != "" {
		if want, err = strconv.Atoi(raw); err != nil || want <= 0 {
			fail(makerhub.Errorf(makerhub.EINVALID, "version=%q is not a version number.", raw))
			return
		}
	}
	for _, v := range p.Versions {
		if v.Number == want || want == 0 && (p.Shown == nil || v.Number > p.Shown.Number) {
			p.Shown = v
		}
		p.HasDraft = p.HasDraft || v.Status == designs.Draft
	}
	if p.Shown == nil && raw != "" {
		fail(makerhub.Errorf(makerhub.ENOTFOUND, "Design %d has no version %s you can see.", id, raw))
		return
	}
	if p.Shown != nil {
		for _, f := range p.Shown.Files {
			if f.Kind == designs.KindSTL && p.STL == nil {
				p.STL = f
			}
		}
	}
	p.Editable = s.designs.MayEdit(ctx, p.Design)
	p.Reviewer = s.designs.MayReview(ctx)
	s.render(c, status, "design", p.Design.Title, &view{Section: "designs", Error: errMsg, Data: p})
}
