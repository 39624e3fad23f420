package designs_test

import (
	"context"
	"testing"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/local"
)

func localEnv(t *testing.T) *env {
	blobs, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return newEnv(t, blobs, nil, 0)
}

func TestCreateAndEditDesigns(t *testing.T) {
	e := localEnv(t)
	d, err := e.svc.CreateDesign(as(e.maker), designs.DesignInput{
		Title: ptr("  Prusa face shield RC3 "), Category: ptr(designs.FaceShield), Licence: ptr("cc-by-nc-4.0"),
		Description: ptr("Headband for A4 transparent sheets."), SourceURL: ptr("https://www.prusa3d.com/covid19/"),
		Material: ptr("petg"), Tags: ptr([]string{"Visor", "visor", "  A4  sheet "}),
		PrintSettings: &designs.PrintSettingsInput{LayerHeightMM: ptr(0.3), InfillPercent: ptr(15.0)},
	})
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case d.Title != "Prusa face shield RC3", d.Licence.ID != "CC-BY-NC-4.0", !d.Licence.RestrictsCommercialUse, d.Licence.RestrictsDerivatives:
		t.Errorf("design %+v", d)
	case d.Material != "PETG", d.PrintSettings.LayerHeightMM != 0.3, d.PrintSettings.Perimeters != 2:
		t.Errorf("settings %+v %+v", d.Material, d.PrintSettings)
	case len(d.Tags) != 2 || d.Tags[0] != "a4 sheet" || d.Tags[1] != "visor":
		t.Errorf("tags %q", d.Tags)
	case d.AuthorID != e.maker.ID || d.OrganisationID == nil || *d.OrganisationID != e.maker.OrganisationID():
		t.Errorf("author %d org %v", d.AuthorID, d.OrganisationID)
	case d.ReviewStatus != designs.Draft || d.CurrentVersion != nil:
		t.Errorf("status %s current %v", d.ReviewStatus, d.CurrentVersion)
	}

	_, err = e.svc.CreateDesign(as(e.nurse), designs.DesignInput{Title: ptr("x"), Category: ptr(designs.Mask), Licence: ptr("MIT")})
	wantCode(t, err, makerhub.EFORBIDDEN, "makers and coordinators")
	_, err = e.svc.CreateDesign(context.Background(), designs.DesignInput{})
	wantCode(t, err, makerhub.EUNAUTHORIZED, "")

	bad := []struct {
		in  designs.DesignInput
		msg string
	}{
		{designs.DesignInput{Category: ptr(designs.Mask), Licence: ptr("MIT")}, "title is required"},
		{designs.DesignInput{Title: ptr("x"), Licence: ptr("MIT")}, "category is required"},
		{designs.DesignInput{Title: ptr("x"), Category: ptr(designs.Mask)}, "licence is required"},
		{designs.DesignInput{Title: ptr(""), Category: ptr(designs.Mask), Licence: ptr("MIT")}, "title is required"},
		{designs.DesignInput{Title: ptr("x"), Category: ptr(designs.Category("hat")), Licence: ptr("MIT")}, `"hat" is not known`},
		{designs.DesignInput{Title: ptr("x"), Category: ptr(designs.Mask), Licence: ptr("proprietary")}, `"proprietary" is not an SPDX identifier`},
		{designs.DesignInput{Title: ptr("x"), Category: ptr(designs.Mask), Licence: ptr("MIT"), SourceURL: ptr("javascript:alert(1)")}, "not an http(s) address"},
		{designs.DesignInput{Title: ptr("x"), Category: ptr(designs.Mask), Licence: ptr("MIT"), Material: ptr("wood")}, `"wood" is not known`},
		{designs.DesignInput{Title: ptr("x"), Category: ptr(designs.Mask), Licence: ptr("MIT"), Tags: ptr([]string{"a,b"})}, "letters, digits"},
		{designs.DesignInput{Title: ptr("x"), Category: ptr(designs.Mask), Licence: ptr("MIT"),
			PrintSettings: &designs.PrintSettingsInput{InfillPercent: ptr(150.0)}}, "infill_percent must be between 0 and 100"},
		{designs.DesignInput{Title: ptr("x"), Category: ptr(designs.Mask), Licence: ptr("MIT"),
			PrintSettings: &designs.PrintSettingsInput{LayerHeightMM: ptr(1.0)}}, "layer_height_mm"},
	}
	for _, b := range bad {
		_, err := e.svc.CreateDesign(as(e.maker), b.in)
		wantCode(t, err, makerhub.EINVALID, b.msg)
	}

	// Editing: the author and coordinators, nobody else.
	_, err = e.svc.UpdateDesign(as(e.other), d.ID, designs.DesignInput{Title: ptr("hijacked")})
	wantCode(t, err, makerhub.EFORBIDDEN, "Only the author")
	d2, err := e.svc.UpdateDesign(as(e.coord), d.ID, designs.DesignInput{Licence: ptr("CERN-OHL-S-2.0"), Tags: ptr([]string{})})
	if err != nil || d2.Licence.RestrictsCommercialUse || len(d2.Tags) != 0 || d2.Title != d.Title {
		t.Fatalf("coordinator edit: %+v %v", d2, err)
	}
	_, err = e.svc.UpdateDesign(as(e.maker), 999, designs.DesignInput{})
	wantCode(t, err, makerhub.ENOTFOUND, "999")
}

func TestVersionsAndReview(t *testing.T) {
	e := localEnv(t)
	stlBytes := readTestdata(t, "ventilator-valve-handle.stl")
	d := e.design("Valve handle")
	v1 := e.draft(d)
	if v1.Number != 1 || v1.Status != designs.Draft || v1.History[0].Action != "created" {
		t.Fatalf("draft %+v", v1)
	}
	_, err := e.svc.CreateVersion(as(e.maker), d.ID, "")
	wantCode(t, err, makerhub.ECONFLICT, "already has a draft")
	_, err = e.svc.CreateVersion(as(e.other), d.ID, "")
	wantCode(t, err, makerhub.EFORBIDDEN, "")
	_, err = e.svc.Publish(as(e.maker), d.ID, 1, "")
	wantCode(t, err, makerhub.ECONFLICT, "has no files")

	// Drafts are hidden from everyone but the author and coordinators.
	_, err = e.svc.FindVersion(context.Background(), d.ID, 1)
	wantCode(t, err, makerhub.EUNAUTHORIZED, "draft")
	_, err = e.svc.FindVersion(as(e.other), d.ID, 1)
	wantCode(t, err, makerhub.EFORBIDDEN, "draft")
	if _, err := e.svc.FindVersion(as(e.coord), d.ID, 1); err != nil {
		t.Fatal(err)
	}
	if vs, _ := e.svc.FindVersions(as(e.other), d.ID); len(vs) != 0 {
		t.Fatalf("another maker sees %d draft versions", len(vs))
	}

	if _, err := e.upload(e.maker, d, 1, "handle.stl", stlBytes); err != nil {
		t.Fatal(err)
	}
	v1, err = e.svc.Publish(as(e.maker), d.ID, 1, "ready for review")
	if err != nil || v1.Status != designs.Submitted || v1.PublishedAt == nil {
		t.Fatalf("publish: %+v %v", v1, err)
	}
	_, err = e.upload(e.maker, d, 1, "extra.stl", stlBytes)
	wantCode(t, err, makerhub.ECONFLICT, "published")
	if vs, _ := e.svc.FindVersions(context.Background(), d.ID); len(vs) != 1 {
		t.Fatal("published version not visible to the public")
	}
	if d, _ = e.svc.FindDesignByID(context.Background(), d.ID); d.ReviewStatus != designs.Submitted || *d.CurrentVersion != 1 {
		t.Fatalf("design after publish: %+v", d)
	}

	// Review: coordinators only, one step at a time, rejection with a note.
	_, err = e.svc.Review(as(e.maker), d.ID, 1, designs.CommunityReviewed, "")
	wantCode(t, err, makerhub.EFORBIDDEN, "Only coordinators")
	_, err = e.svc.Review(as(e.coord), d.ID, 1, designs.ClinicallyValidated, "")
	wantCode(t, err, makerhub.ECONFLICT, "community_reviewed or rejected")
	_, err = e.svc.Review(as(e.coord), d.ID, 1, designs.Rejected, "")
	wantCode(t, err, makerhub.EINVALID, "note is required")
	if _, err = e.svc.Review(as(e.coord), d.ID, 1, designs.CommunityReviewed, "printed and fitted by 3 makers"); err != nil {
		t.Fatal(err)
	}
	v1, err = e.svc.Review(as(e.coord), d.ID, 1, designs.ClinicallyValidated, "tested at CHU Grenoble")
	if err != nil {
		t.Fatal(err)
	}
	h := v1.History[len(v1.History)-1]
	if h.ActorID != e.coord.ID || h.From != "community_reviewed" || h.To != "clinically_validated" || h.Note != "tested at CHU Grenoble" || h.At.IsZero() {
		t.Fatalf("history %+v", h)
	}
	_, err = e.svc.Review(as(e.coord), d.ID, 1, designs.Rejected, "too late")
	wantCode(t, err, makerhub.ECONFLICT, "cannot be reviewed further")

	// A second version supersedes the first; withdrawal is for coordinators.
	e.draft(d)
	if _, err := e.upload(e.maker, d, 2, "handle-v2.stl", readTestdata(t, "ventilator-splitter-4way-wye.stl")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Publish(as(e.maker), d.ID, 2, ""); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SetLifecycle(as(e.maker), d.ID, 1, designs.Superseded, "")
	wantCode(t, err, makerhub.EINVALID, "reason is required")
	if _, err := e.svc.SetLifecycle(as(e.maker), d.ID, 1, designs.Superseded, "v2 fits more valves"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SetLifecycle(as(e.maker), d.ID, 2, designs.Withdrawn, "cracks")
	wantCode(t, err, makerhub.EFORBIDDEN, "Only coordinators withdraw")
	v2, err := e.svc.SetLifecycle(as(e.coord), d.ID, 2, designs.Withdrawn, "cracks under autoclave")
	if err != nil || v2.Lifecycle != designs.Withdrawn || v2.LifecycleReason != "cracks under autoclave" {
		t.Fatalf("withdraw: %+v %v", v2, err)
	}
	_, err = e.svc.SetLifecycle(as(e.coord), d.ID, 2, designs.Superseded, "x")
	wantCode(t, err, makerhub.ECONFLICT, "already withdrawn")
	_, err = e.svc.Review(as(e.coord), d.ID, 2, designs.CommunityReviewed, "")
	wantCode(t, err, makerhub.ECONFLICT, "withdrawn")
	// With v2 withdrawn, the current version falls back to v1 (superseded
	// but printable), still clinically validated.
	if d, _ = e.svc.FindDesignByID(context.Background(), d.ID); *d.CurrentVersion != 1 || d.ReviewStatus != designs.ClinicallyValidated {
		t.Fatalf("current after withdrawal: %v %s", *d.CurrentVersion, d.ReviewStatus)
	}
}

func TestFindDesigns(t *testing.T) {
	e := localEnv(t)
	mk := func(title string, cat designs.Category, lic string, tags []string) *designs.Design {
		d, err := e.svc.CreateDesign(as(e.maker), designs.DesignInput{Title: ptr(title), Category: ptr(cat), Licence: ptr(lic), Tags: ptr(tags)})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	shield := mk("Face shield RC3", designs.FaceShield, "CC-BY-NC-4.0", []string{"visor"})
	mk("Ear saver", designs.EarSaver, "CC0-1.0", []string{"strap"})
	splitter := mk("Ventilator splitter", designs.VentilatorPart, "CERN-OHL-P-2.0", nil)
	e.draft(splitter)
	if _, err := e.upload(e.maker, splitter, 1, "s.stl", readTestdata(t, "ventilator-valve-handle.stl")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Publish(as(e.maker), splitter.ID, 1, ""); err != nil {
		t.Fatal(err)
	}

	check := func(f designs.DesignFilter, want ...int64) {
		t.Helper()
		list, total, err := e.svc.FindDesigns(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, d := range list {
			got = append(got, d.ID)
		}
		wantTotal := len(want)
		if f.Limit > 0 {
			wantTotal = 3
		}
		if total != wantTotal || len(got) != len(want) {
			t.Fatalf("filter %+v: got %v (total %d), want %v", f, got, total, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("filter %+v: got %v, want %v", f, got, want)
			}
		}
	}
	check(designs.DesignFilter{Category: designs.FaceShield}, shield.ID)
	check(designs.DesignFilter{Status: designs.Submitted}, splitter.ID)
	check(designs.DesignFilter{Licence: "cc-by-nc-4.0"}, shield.ID)
	check(designs.DesignFilter{Query: "VISOR"}, shield.ID)
	check(designs.DesignFilter{Query: "splitter"}, splitter.ID)
	check(designs.DesignFilter{Query: "%"})
	check(designs.DesignFilter{Limit: 1, Offset: 1}, 2) // newest first: 3, 2, 1
	_, _, err := e.svc.FindDesigns(context.Background(), designs.DesignFilter{Status: "approved"})
	wantCode(t, err, makerhub.EINVALID, "approved")
	_, _, err = e.svc.FindDesigns(context.Background(), designs.DesignFilter{Licence: "nope"})
	wantCode(t, err, makerhub.EINVALID, "SPDX")
}

// TestPrintProfiles: drafts are never printed; a published version's
// profile sums its parts and fits a bed only if every part does.
func TestPrintProfiles(t *testing.T) {
	e := localEnv(t)
	d := e.design("Visor kit")
	e.draft(d)
	if _, err := e.upload(e.maker, d, 1, "band.stl", readTestdata(t, "face-shield-headpiece.stl")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.upload(e.maker, d, 1, "handle.stl", readTestdata(t, "ventilator-valve-handle.stl")); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.FindPrintProfile(as(e.maker), d.ID, 1)
	wantCode(t, err, makerhub.ENOTFOUND, "no published version 1")
	if _, err := e.svc.Publish(as(e.maker), d.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.FindPrintProfile(as(e.maker), d.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Parts) != 2 || !p.Printable() || p.PrintMinutes <= 0 || p.FilamentG <= 0 {
		t.Fatalf("profile %+v", p)
	}
	// The headband is 218 × 97 mm: an Ender-3 (220 × 220) holds both parts,
	// a 150 × 150 bed not even diagonally, and the combined footprints agree.
	if !p.FitsBed(220, 220, 250) || p.FitsBed(150, 150, 150) {
		t.Fatalf("bed fit: 220 mm %v, 150 mm %v", p.FitsBed(220, 220, 250), p.FitsBed(150, 150, 150))
	}
	fits := func(x, y float64) bool {
		for _, f := range p.Footprints() {
			if f[0] <= x+1e-3 && f[1] <= y+1e-3 {
				return true
			}
		}
		return false
	}
	if !fits(220, 220) || fits(150, 150) {
		t.Fatalf("combined footprints %v", p.Footprints())
	}
	_, err = e.svc.FindPrintProfile(as(e.maker), d.ID, 2)
	wantCode(t, err, makerhub.ENOTFOUND, "no published version 2")
}
