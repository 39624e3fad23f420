package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/designs"
	"github.com/makerhub/makerhub/internal/blob/s3"
	"github.com/makerhub/makerhub/internal/demo"
	"github.com/makerhub/makerhub/inventory"
	"github.com/makerhub/makerhub/production"
)

// demoServices are the services serve --demo fills the hub through: the
// sample data goes in exactly as users would put it, with every rule
// checked, and nothing by SQL.
type demoServices struct {
	Accounts   *accounts.Service
	Designs    *designs.Service
	Production *production.Service
	Inventory  *inventory.Service
	// Blobs, if an S3 store, has its bucket made sure of before anything
	// is written (serve otherwise creates it in the background).
	Blobs makerhub.BlobStore
}

// startDemo is serve --demo: it seeds an empty hub, or logs why it does not.
func startDemo(ctx context.Context, log *slog.Logger, svc demoServices, url, dbPath string, out io.Writer) error {
	started, err := seedDemo(ctx, svc, url, out)
	switch {
	case err != nil && started:
		return fmt.Errorf("%w\nthe hub holds part of the demo data: delete %s and start again with --demo", err, dbPath)
	case err != nil:
		return err
	case !started:
		log.Info("--demo: the hub already has accounts, so no demo data was added (it is only added to an empty hub)")
	}
	return nil
}

// demoAccount is a sample account; makers and hospitals come with their
// organisation. The people are invented; the hospitals are real places.
type demoAccount struct {
	key, name, email string
	join             string // the key of an account whose organisation this one joins as a member
	role             makerhub.Role
	org              string
	address, region  string
	lat, lon         float64
	verified         bool // hospitals only
}

var demoAccounts = []demoAccount{
	{key: "coord", role: makerhub.RoleCoordinator, name: "Camille Durand", email: "coordination@demo.example.org"},
	{key: "fablab", role: makerhub.RoleMaker, name: "Léa Bonnet", email: "fablab.grenoble@demo.example.org",
		org: "Fablab de Grenoble (démo)", address: "12 rue Très-Cloîtres, 38000 Grenoble", region: "Auvergne-Rhône-Alpes", lat: 45.1924, lon: 5.7310},
	{key: "retired", role: makerhub.RoleMaker, name: "Jean-Pierre Morel", email: "jp.morel@demo.example.org",
		org: "Atelier Morel à Écully (démo)", address: "8 chemin de la Forestière, 69130 Écully", region: "Auvergne-Rhône-Alpes", lat: 45.7744, lon: 4.7775},
	{key: "school", role: makerhub.RoleMaker, name: "Sofiane Haddad", email: "makerspace.lycee@demo.example.org",
		org: "Makerspace du lycée (démo)", address: "40 avenue de la République, 75011 Paris", region: "Île-de-France", lat: 48.8651, lon: 2.3781},
	{key: "chuga", role: makerhub.RoleHospital, name: "Nathalie Roux", email: "chu.grenoble@demo.example.org", verified: true,
		org: "CHU Grenoble Alpes (démo)", address: "Boulevard de la Chantourne, 38700 La Tronche", region: "Auvergne-Rhône-Alpes", lat: 45.1986, lon: 5.7447},
	{key: "hcl", role: makerhub.RoleHospital, name: "Marc Lefèvre", email: "hcl.lyon@demo.example.org",
		org: "Hospices Civils de Lyon (démo)", address: "5 place d'Arsonval, 69003 Lyon", region: "Auvergne-Rhône-Alpes", lat: 45.7420, lon: 4.8800},
	{key: "bichat", role: makerhub.RoleHospital, name: "Aïcha Diallo", email: "bichat.paris@demo.example.org", verified: true,
		org: "AP-HP Bichat (démo)", address: "46 rue Henri Huchard, 75018 Paris", region: "Île-de-France", lat: 48.8986, lon: 2.3317},
	// A second member in a hospital and in a maker group: teams, not lone accounts.
	{key: "chuga2", role: makerhub.RoleHospital, name: "Thomas Garnier", email: "pharmacie.chu.grenoble@demo.example.org", join: "chuga"},
	{key: "fablab2", role: makerhub.RoleMaker, name: "Inès Martin", email: "ines.fablab.grenoble@demo.example.org", join: "fablab"},
}

var demoPrinters = []struct {
	owner, name, model string
	bed                [3]float64
	materials          []string
	hours              float64
}{
	{"fablab", "Prusa MK3S n°1", "Original Prusa i3 MK3S+", [3]float64{250, 210, 210}, []string{"PLA", "PETG"}, 12},
	{"fablab", "Prusa MK3S n°2", "Original Prusa i3 MK3S+", [3]float64{250, 210, 210}, []string{"PLA", "PETG"}, 12},
	{"fablab", "Prusa MINI de l'accueil", "Original Prusa MINI+", [3]float64{180, 180, 180}, []string{"PLA"}, 8},
	{"retired", "Ender-3 du garage", "Creality Ender-3", [3]float64{220, 220, 250}, []string{"PLA", "PETG"}, 16},
	{"school", "P1S salle B12", "Bambu Lab P1S", [3]float64{256, 256, 256}, []string{"PLA", "PETG"}, 10},
	{"school", "i3 Mega du CDI", "Anycubic i3 Mega", [3]float64{210, 210, 205}, []string{"PLA"}, 6},
}

// demoDesigns are the reference parts, each published by a maker and
// reviewed by the coordinator up to status; the splitter stays submitted
// so that the coordinator has a version to review.
type demoDesign struct {
	file, author, title, description, material string
	category                                   designs.Category
	tags                                       []string
	status                                     designs.Status
}

var demoDesigns = []demoDesign{
	{"face-shield-headpiece.stl", "fablab", "Visière de protection — serre-tête GliaX",
		"Serre-tête de visière : une feuille transparente A4 perforée s'y clipse. Imprimé en PETG, désinfectable.",
		"PETG", designs.FaceShield, []string{"visière", "covid-19", "démo"}, designs.ClinicallyValidated},
	{"ventilator-valve-handle.stl", "retired", "Poignée de robinet conique 3 voies",
		"Poignée du robinet 3 voies du répartiteur de respirateur Project Tetra.",
		"PLA", designs.VentilatorPart, []string{"respirateur", "démo"}, designs.CommunityReviewed},
	{"ventilator-connector-npt.stl", "retired", "Raccord NPT 3/8\" mâle-mâle",
		"Raccord fileté du répartiteur Project Tetra ; vérifier l'étanchéité avant usage.",
		"PETG", designs.VentilatorPart, []string{"respirateur", "raccord", "démo"}, designs.CommunityReviewed},
	{"ventilator-splitter-4way-wye.stl", "school", "Répartiteur 4 voies en Y pour respirateur",
		"Répartiteur en Y du projet Project Tetra, pour partager un respirateur en dernier recours.",
		"PETG", designs.VentilatorPart, []string{"respirateur", "démo"}, designs.Submitted},
}

var demoSpools = []struct {
	maker, material, colour, lot, donor string
	grams                               float64
	byCoordinator                       bool // a donated spool the coordinator hands to the maker
}{
	{"fablab", "PETG", "transparent", "PETG-CL-2603", "", 1000, false},
	{"fablab", "PLA", "blanc", "PLA-WH-2511", "", 750, false},
	{"retired", "PETG", "noir", "PETG-BK-2602", "", 850, false},
	{"school", "PLA", "bleu", "PLA-BL-2601", "", 400, false},
	{"school", "PETG", "transparent", "PETG-CL-2603", "Don d'un fabricant de filament (démo)", 1000, true},
}

var demoRequests = []struct {
	hospital, file string
	units          int
	priority       production.Priority
	days           int
	validatedOnly  bool
	notes          string
}{
	{"chuga", "face-shield-headpiece.stl", 50, production.High, 5, true, "Pour les urgences et la réanimation ; livraison au magasin central."},
	{"bichat", "ventilator-valve-handle.stl", 10, production.Critical, 5, false, "Pour le service de réanimation médicale."},
	{"bichat", "face-shield-headpiece.stl", 30, production.Normal, 21, true, ""},
}

// seedDemo fills an empty hub with sample data through the services, then
// writes the demo accounts and their passwords to out, with url to open. A
// hub with any account is left alone (started is false): the demo never
// mixes with real data, and a second start adds nothing. A failed step is
// returned with its name; what came before it stays in the hub (started is
// true once seeding has begun).
func seedDemo(ctx context.Context, svc demoServices, url string, out io.Writer) (started bool, err error) {
	if n, err := svc.Accounts.CountUsers(ctx); err != nil {
		return false, demoStep("count accounts", err)
	} else if n > 0 {
		return false, nil
	}
	if st, ok := svc.Blobs.(*s3.Store); ok {
		bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := st.EnsureBucket(bctx)
		cancel()
		if err != nil {
			return false, demoStep("create the S3 bucket", err)
		}
	}
	users := map[string]*makerhub.User{}
	passwords := map[string]string{}
	for _, a := range demoAccounts {
		pw, err := demoPassword()
		if err != nil {
			return true, demoStep("make a password", err)
		}
		in := accounts.NewUser{Email: a.email, Password: pw, Name: a.name, Role: a.role}
		create := svc.Accounts.Signup
		switch {
		case a.role == makerhub.RoleCoordinator:
			create = svc.Accounts.CreateUser
		case a.join != "":
			create, in.JoinOrganisation = svc.Accounts.CreateUser, users[a.join].OrganisationID()
		default:
			in.Organisation = &accounts.OrganisationInput{Name: a.org, Address: a.address, Region: a.region, Lat: &a.lat, Lon: &a.lon}
		}
		if users[a.key], err = create(ctx, in); err != nil {
			return true, demoStep("create the account "+a.email, err)
		}
		passwords[a.key] = pw
	}
	as := func(key string) context.Context { return makerhub.NewContextWithUser(ctx, users[key]) }
	for _, a := range demoAccounts {
		if a.verified {
			org, err := svc.Accounts.VerifyOrganisation(as("coord"), users[a.key].OrganisationID())
			if err != nil {
				return true, demoStep("verify "+a.org, err)
			}
			users[a.key].Organisation = org
		}
	}
	for _, p := range demoPrinters {
		if _, err := svc.Production.CreatePrinter(as(p.owner), production.PrinterInput{Name: &p.name, Model: &p.model,
			BedMM: &p.bed, Materials: &p.materials, HoursPerDay: &p.hours}); err != nil {
			return true, demoStep("add the printer "+p.name, err)
		}
	}
	lat, lon := 45.7745, 4.8320
	if _, err := svc.Inventory.CreateHub(as("coord"), inventory.HubInput{Name: "Point de collecte du fablab de la Croix-Rousse (démo)",
		Address: "21 rue d'Austerlitz, 69004 Lyon", Lat: &lat, Lon: &lon}); err != nil {
		return true, demoStep("open the collection hub", err)
	}
	designIDs := map[string]int64{}
	for _, d := range demoDesigns {
		id, err := publishDemoDesign(as(d.author), as("coord"), svc.Designs, d)
		if err != nil {
			return true, demoStep("publish "+d.file, err)
		}
		designIDs[d.file] = id
	}
	for _, s := range demoSpools {
		in := inventory.SpoolInput{Material: s.material, Colour: s.colour, GramsLeft: &s.grams, Lot: s.lot, Donor: s.donor}
		who := s.maker
		if s.byCoordinator {
			in.MakerID, who = users[s.maker].ID, "coord"
		}
		if _, err := svc.Inventory.CreateSpool(as(who), in); err != nil {
			return true, demoStep("register a spool of "+s.material+" for "+users[s.maker].Name, err)
		}
	}
	for _, r := range demoRequests {
		if _, err := svc.Production.CreateRequest(as(r.hospital), production.RequestInput{DesignID: designIDs[r.file],
			Quantity: r.units, Priority: r.priority, NeededBy: time.Now().AddDate(0, 0, r.days).Format("2006-01-02"),
			ClinicallyValidatedOnly: r.validatedOnly, Notes: r.notes}); err != nil {
			return true, demoStep(fmt.Sprintf("file the request of %s for %d × %s", users[r.hospital].Organisation.Name, r.units, r.file), err)
		}
	}
	run, err := svc.Production.RunRouting(as("coord"))
	if err != nil {
		return true, demoStep("run routing", err)
	}
	printDemoAccounts(out, url, users, passwords, run)
	return true, nil
}

// publishDemoDesign creates a design from an embedded part as its author,
// uploads the STL, publishes version 1, has the coordinator review it up
// to status, and draws the file's thumbnail so the library opens at once.
func publishDemoDesign(author, coord context.Context, ds *designs.Service, dd demoDesign) (int64, error) {
	part, err := demo.Find(dd.file)
	if err != nil {
		return 0, err
	}
	data, err := part.STL()
	if err != nil {
		return 0, err
	}
	description := dd.description + "\n\nSource : " + part.Source + ", licence " + part.Licence + "."
	d, err := ds.CreateDesign(author, designs.DesignInput{Title: &dd.title, Category: &dd.category, Description: &description,
		Licence: &part.Licence, SourceURL: &part.SourceURL, Material: &dd.material, Tags: &dd.tags})
	if err != nil {
		return 0, err
	}
	if _, err := ds.CreateVersion(author, d.ID, "Première version, telle que publiée par le projet d'origine."); err != nil {
		return 0, err
	}
	f, err := ds.AddFile(author, d.ID, 1, designs.Upload{Name: dd.file, Body: bytes.NewReader(data), Size: int64(len(data))})
	if err != nil {
		return 0, err
	}
	if _, err := ds.Publish(author, d.ID, 1, "Prête pour la relecture."); err != nil {
		return 0, err
	}
	for _, next := range []designs.Status{designs.CommunityReviewed, designs.ClinicallyValidated} {
		if dd.status == designs.Submitted {
			break
		}
		note := map[designs.Status]string{designs.CommunityReviewed: "Imprimée et vérifiée par deux makers.",
			designs.ClinicallyValidated: "Validée par le service d'hygiène d'un hôpital partenaire (démo)."}[next]
		if _, err := ds.Review(coord, d.ID, 1, next, note); err != nil {
			return 0, err
		}
		if next == dd.status {
			break
		}
	}
	if _, err := ds.Thumbnail(coord, f.SHA256); err != nil {
		return 0, fmt.Errorf("thumbnail: %w", err)
	}
	return d.ID, nil
}

// printDemoAccounts writes who to log in as, one account in two lines so
// that the list fits an 80-column terminal.
func printDemoAccounts(out io.Writer, url string, users map[string]*makerhub.User, passwords map[string]string, run *production.RoutingRun) {
	makers := map[int64]bool{}
	for _, j := range run.Jobs {
		if j.OfferedTo != nil {
			makers[*j.OfferedTo] = true
		}
	}
	fmt.Fprintf(out, "\nDemo hub ready: sample designs, makers with printers and spools, a collection\n"+
		"hub, hospitals with requests, and routing run %d, which offered %d jobs\n"+
		"(%d of %d units) to %d makers.\n\nOpen %s and log in as:\n\n",
		run.ID, len(run.Jobs), run.Stats.UnitsAllocated, run.Stats.UnitsRequested, len(makers), url)
	for _, a := range demoAccounts {
		who := a.name
		if o := users[a.key].Organisation; o != nil {
			who += " — " + o.Name
			if a.role == makerhub.RoleHospital && !o.Verified() {
				who += ": not verified yet"
			}
		}
		fmt.Fprintf(out, "  %-12s %s\n  %-12s %-34s %s\n", a.role, who, "", a.email, passwords[a.key])
	}
	fmt.Fprint(out, "\nThe coordinator has a hospital to verify and a design version to review;\n"+
		"makers have jobs offered to them; hospitals have open requests. The people\n"+
		"are invented, the hospitals real places. The passwords are random and shown\n"+
		"only this once: to start over, stop the hub, delete its database and start\n"+
		"it again with --demo.\n\n")
}

// passwordAlphabet has 32 letters and digits, none easily confused (no l,
// o, 0 or 1): each random byte's low 5 bits pick one without bias.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// demoPassword returns a random password easy to read and type:
// xxxx-xxxx-xxxx, 60 bits.
func demoPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(passwordAlphabet[c&31])
	}
	return s.String(), nil
}

// demoURL is the address to open: --public-url if set, else the listener's,
// with localhost for a wildcard address.
func demoURL(publicURL string, addr net.Addr) string {
	if publicURL != "" {
		return strings.TrimSuffix(publicURL, "/") + "/"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// demoStepError is a failed seeding step: its name, and the cause's user
// message when it has one.
type demoStepError struct {
	step string
	err  error
}

func demoStep(step string, err error) error { return &demoStepError{step, err} }

func (e *demoStepError) Error() string {
	msg := e.err.Error()
	if makerhub.ErrorCode(e.err) != makerhub.EINTERNAL {
		msg = makerhub.ErrorMessage(e.err)
	}
	return "demo data: " + e.step + ": " + msg
}

func (e *demoStepError) Unwrap() error { return e.err }
