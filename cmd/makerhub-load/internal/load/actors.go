package load

import (
	"context"
	"fmt"
	"time"

	"github.com/makerhub/makerhub/internal/demo"
)

// actor is an account the load acts as.
type actor struct {
	email    string
	token    string
	user     int64
	org      int64
	password string
	role     string
	lat      float64
	lon      float64
}

// design is a shared design the hospitals can request.
type design struct {
	id     int64
	part   demo.Part
	sha256 string
	weight int // how often hospitals ask for it
}

type userJSON struct {
	ID           int64 `json:"id"`
	Organisation *struct {
		ID int64 `json:"id"`
	} `json:"organisation"`
}

func (l *Load) login(ctx context.Context, a *actor) error {
	var s struct {
		Token string   `json:"token"`
		User  userJSON `json:"user"`
	}
	err := l.c.do(ctx, call{ep: "POST /api/v1/auth/login", path: "/api/v1/auth/login",
		body: map[string]string{"email": a.email, "password": a.password}, want: 200, out: &s})
	if err != nil {
		return err
	}
	a.token, a.user = s.Token, s.User.ID
	if s.User.Organisation != nil {
		a.org = s.User.Organisation.ID
	}
	return nil
}

func (l *Load) loginCoordinator(ctx context.Context) (string, error) {
	l.coord = &actor{email: l.cfg.CoordinatorEmail, password: l.cfg.CoordinatorPassword}
	if err := l.login(ctx, l.coord); err != nil {
		return "", fmt.Errorf("log in as the coordinator %s: %w", l.cfg.CoordinatorEmail, err)
	}
	return "logged in", nil
}

// place is a random point of a country-sized area (mainland France's).
func (l *Load) place() (float64, float64) {
	return 43.3 + float64(l.intn(6000))/1000, -1.2 + float64(l.intn(8500))/1000
}

// signUp signs the makers and hospitals up, logs each in, declares the
// makers' printers and has the coordinator verify every hospital.
func (l *Load) signUp(ctx context.Context) (string, error) {
	n := l.cfg.Makers + l.cfg.Hospitals
	all := make([]*actor, n)
	for i := range all {
		lat, lon := l.place()
		// Hospitals are spread evenly among the sign-ups.
		role := "maker"
		if i*l.cfg.Hospitals/n != (i+1)*l.cfg.Hospitals/n {
			role = "hospital"
		}
		a := &actor{email: fmt.Sprintf("%s%d-%s@load.example.org", role, i, l.runID), password: l.pass, lat: lat, lon: lon, role: role}
		all[i] = a
		if role == "hospital" {
			l.hosps = append(l.hosps, a)
		} else {
			l.makers = append(l.makers, a)
		}
	}
	failed, err := each(ctx, n, l.cfg.SignupConcurrency, func(ctx context.Context, i int) error {
		return l.signUpOne(ctx, all[i], i)
	})
	if err != nil {
		return "", fmt.Errorf("%d of %d sign-ups failed; the first: %w", failed, n, err)
	}
	for _, m := range l.makers {
		l.byUser[m.user] = m
	}
	// The coordinator verifies the hospitals and makers declare printers:
	// cheap calls, at full concurrency.
	failed, err = each(ctx, n, l.cfg.Concurrency, func(ctx context.Context, i int) error {
		if all[i].role == "hospital" {
			return l.c.do(ctx, call{ep: "POST /api/v1/organisations/{id}/verify", path: fmt.Sprintf("/api/v1/organisations/%d/verify", all[i].org),
				token: l.coord.token, want: 200})
		}
		return l.printers(ctx, all[i], i)
	})
	if err != nil {
		return "", fmt.Errorf("%d of %d verifications and printers failed; the first: %w", failed, n, err)
	}
	return fmt.Sprintf("%d makers, %d hospitals (verified)", len(l.makers), len(l.hosps)), nil
}

func (l *Load) signUpOne(ctx context.Context, a *actor, i int) error {
	org := map[string]any{"name": fmt.Sprintf("%s %d", a.role, i), "address": fmt.Sprintf("%d rue de la Paix", i),
		"region": fmt.Sprintf("Région %d", i%13), "lat": a.lat, "lon": a.lon}
	var u userJSON
	if err := l.c.do(ctx, call{ep: "POST /api/v1/auth/signup", path: "/api/v1/auth/signup", want: 201, out: &u,
		body: map[string]any{"email": a.email, "password": a.password, "name": fmt.Sprintf("Load %s %d", a.role, i),
			"role": a.role, "organisation": org}}); err != nil {
		return err
	}
	l.led.signedUp(a.email, u.ID)
	return l.login(ctx, a)
}

// printers declares one or two printers: most fit every reference part,
// some are small (180 mm) or print PLA only, as in 2020's fleets.
func (l *Load) printers(ctx context.Context, a *actor, i int) error {
	beds := [][3]float64{{250, 210, 210}, {220, 220, 250}, {256, 256, 256}, {180, 180, 180}}
	for k := range 1 + i%2 {
		mats := []string{"PLA", "PETG"}
		if (i+k)%5 == 0 {
			mats = []string{"PLA"}
		}
		var p struct{ ID int64 }
		if err := l.c.do(ctx, call{ep: "POST /api/v1/printers", path: "/api/v1/printers", token: a.token, want: 201, out: &p,
			body: map[string]any{"name": fmt.Sprintf("printer %d", k+1), "bed_mm": beds[(i+k)%len(beds)],
				"materials": mats, "hours_per_day": 8 + (i+k)%9}}); err != nil {
			return err
		}
	}
	return nil
}

// shareDesigns has the first makers share the reference parts: a design,
// an upload, publication, then the coordinator's review.
func (l *Load) shareDesigns(ctx context.Context) (string, error) {
	type spec struct {
		material, category string
		weight             int
	}
	specs := map[string]spec{
		"face-shield-headpiece.stl":        {"PETG", "face_shield", 12},
		"ventilator-valve-handle.stl":      {"PLA", "ventilator_part", 2},
		"ventilator-connector-npt.stl":     {"PETG", "ventilator_part", 2},
		"ventilator-splitter-4way-wye.stl": {"PETG", "ventilator_part", 1},
	}
	l.designs = make([]*design, l.cfg.Designs)
	failed, err := each(ctx, l.cfg.Designs, min(l.cfg.Concurrency, 4), func(ctx context.Context, i int) error {
		part := demo.Parts()[i%len(demo.Parts())]
		sp := specs[part.File]
		author := l.makers[i%len(l.makers)]
		d := &design{part: part, weight: sp.weight}
		var created struct{ ID int64 }
		if err := l.c.do(ctx, call{ep: "POST /api/v1/designs", path: "/api/v1/designs", token: author.token, want: 201, out: &created,
			body: map[string]any{"title": fmt.Sprintf("%s (%d)", part.Source, i), "category": sp.category, "licence": part.Licence,
				"source_url": part.SourceURL, "material": sp.material}}); err != nil {
			return err
		}
		d.id = created.ID
		var v struct{ Number int }
		if err := l.c.do(ctx, call{ep: "POST /api/v1/designs/{id}/versions", path: fmt.Sprintf("/api/v1/designs/%d/versions", d.id),
			token: author.token, want: 201, out: &v, body: map[string]any{"notes": "as printed in 2020"}}); err != nil {
			return err
		}
		data, err := part.STL()
		if err != nil {
			return err
		}
		if i >= len(demo.Parts()) {
			// A maker's own export of the part: the same mesh under another
			// header, so another file to store.
			copy(data[:80], fmt.Sprintf("%-80s", fmt.Sprintf("makerhub-load design %d", i)))
		}
		var f struct{ SHA256 string }
		// A maker whose upload got no answer tries again: the same bytes
		// are stored once, under their hash, whatever happened.
		upload := call{ep: "POST /api/v1/designs/{id}/versions/{n}/files", raw: data, token: author.token, want: 201, out: &f,
			path: fmt.Sprintf("/api/v1/designs/%d/versions/%d/files?name=%s", d.id, v.Number, part.File)}
		for try := 0; ; try++ {
			if err = l.c.do(ctx, upload); err == nil || !retryable(err) || try == 120 {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		if err != nil {
			return err
		}
		d.sha256 = f.SHA256
		l.led.uploaded(f.SHA256)
		vp := fmt.Sprintf("/api/v1/designs/%d/versions/%d", d.id, v.Number)
		if err := l.c.do(ctx, call{ep: "POST /api/v1/designs/{id}/versions/{n}/publish", path: vp + "/publish", token: author.token, want: 200}); err != nil {
			return err
		}
		if err := l.c.do(ctx, call{ep: "POST /api/v1/designs/{id}/versions/{n}/review", path: vp + "/review", token: l.coord.token, want: 200,
			body: map[string]any{"status": "community_reviewed", "note": "checked by the load's coordinator"}}); err != nil {
			return err
		}
		l.designs[i] = d
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("%d of %d designs failed; the first: %w", failed, l.cfg.Designs, err)
	}
	return fmt.Sprintf("%d designs, each uploaded, published and reviewed", len(l.designs)), nil
}
