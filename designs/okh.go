package designs

import (
	"context"
	"fmt"
	"strconv"

	"github.com/makerhub/makerhub"
	"go.yaml.in/yaml/v3"
)

// okhManifest is an Open Know-How manifest (OKH v1.0 field names), with the
// hub's own facts under x-makerhub: file hashes, review status and
// lifecycle, which OKH v1.0 has no fields for.
type okhManifest struct {
	DateCreated           string     `yaml:"date-created"`
	DateUpdated           string     `yaml:"date-updated"`
	ManifestAuthor        okhPerson  `yaml:"manifest-author"`
	ManifestLanguage      string     `yaml:"manifest-language"`
	DocumentationLanguage string     `yaml:"documentation-language"`
	Title                 string     `yaml:"title"`
	Description           string     `yaml:"description"`
	Keywords              []string   `yaml:"keywords,omitempty"`
	ProjectLink           string     `yaml:"project-link,omitempty"`
	DocumentationHome     string     `yaml:"documentation-home"`
	HealthSafetyNotice    string     `yaml:"health-safety-notice"`
	Image                 string     `yaml:"image,omitempty"`
	Version               string     `yaml:"version"`
	DevelopmentStage      string     `yaml:"development-stage"`
	Made                  bool       `yaml:"made"`
	License               okhLicense `yaml:"license"`
	Licensor              okhPerson  `yaml:"licensor"`
	ManufacturingFiles    []okhLink  `yaml:"manufacturing-files,omitempty"`
	MakingInstructions    []okhLink  `yaml:"making-instructions,omitempty"`
	Makerhub              okhHub     `yaml:"x-makerhub"`
}

type okhPerson struct {
	Name        string `yaml:"name"`
	Affiliation string `yaml:"affiliation,omitempty"`
}

type okhLicense struct {
	Hardware      string `yaml:"hardware"`
	Documentation string `yaml:"documentation"`
}

type okhLink struct {
	Path  string `yaml:"path"`
	Title string `yaml:"title"`
}

type okhHub struct {
	DesignID               int64     `yaml:"design-id"`
	Version                int       `yaml:"version"`
	Category               Category  `yaml:"category"`
	ReviewStatus           Status    `yaml:"review-status"`
	Lifecycle              Lifecycle `yaml:"lifecycle"`
	LifecycleReason        string    `yaml:"lifecycle-reason,omitempty"`
	RestrictsCommercialUse bool      `yaml:"licence-restricts-commercial-use"`
	RestrictsDerivatives   bool      `yaml:"licence-restricts-derivatives"`
	Material               string    `yaml:"material"`
	Files                  []okhFile `yaml:"files"`
}

type okhFile struct {
	Name   string   `yaml:"name"`
	SHA256 string   `yaml:"sha256"`
	Size   int64    `yaml:"size"`
	Kind   FileKind `yaml:"kind"`
	URL    string   `yaml:"url"`
}

// OKH exports a version as an Open Know-How manifest in YAML. baseURL is the
// hub's public address, for links to files and to the design.
func (s *Service) OKH(ctx context.Context, designID int64, number int, baseURL string) ([]byte, error) {
	v, err := s.FindVersion(ctx, designID, number)
	if err != nil {
		return nil, err
	}
	d, err := findDesignByID(ctx, s.q(ctx), designID)
	if err != nil {
		return nil, err
	}
	author, affiliation, err := s.authorOf(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("author of design %d: %w", designID, err)
	}
	home := fmt.Sprintf("%s/api/v1/designs/%d", baseURL, d.ID)
	m := okhManifest{
		DateCreated: v.CreatedAt.Format("2006-01-02"), DateUpdated: d.UpdatedAt.Format("2006-01-02"),
		ManifestAuthor:   okhPerson{Name: "makerhub", Affiliation: baseURL},
		ManifestLanguage: "en", DocumentationLanguage: "en",
		Title: d.Title, Description: d.Description, Keywords: d.Tags, ProjectLink: d.SourceURL,
		DocumentationHome: home, HealthSafetyNotice: safetyNotice(v),
		Version: strconv.Itoa(v.Number), DevelopmentStage: string(v.Status), Made: v.Status != Draft,
		License:  okhLicense{Hardware: d.Licence.ID, Documentation: d.Licence.ID},
		Licensor: okhPerson{Name: author, Affiliation: affiliation},
		Makerhub: okhHub{DesignID: d.ID, Version: v.Number, Category: d.Category, ReviewStatus: v.Status,
			Lifecycle: v.Lifecycle, LifecycleReason: v.LifecycleReason, Material: d.Material,
			RestrictsCommercialUse: d.Licence.RestrictsCommercialUse, RestrictsDerivatives: d.Licence.RestrictsDerivatives,
			Files: []okhFile{}},
	}
	for _, f := range v.Files {
		url := baseURL + "/api/v1/files/" + f.SHA256
		m.Makerhub.Files = append(m.Makerhub.Files, okhFile{Name: f.Name, SHA256: f.SHA256, Size: f.Size, Kind: f.Kind, URL: url})
		switch f.Kind {
		case KindSTL, KindSTEP:
			m.ManufacturingFiles = append(m.ManufacturingFiles, okhLink{Path: url, Title: f.Name})
		case KindPDF:
			m.MakingInstructions = append(m.MakingInstructions, okhLink{Path: url, Title: f.Name})
		case KindImage:
			if m.Image == "" {
				m.Image = url
			}
		}
	}
	return yaml.Marshal(m)
}

// safetyNotice says plainly whether this version may be used on patients.
func safetyNotice(v *Version) string {
	switch {
	case v.Lifecycle == Withdrawn:
		return "WITHDRAWN — do not print or use: " + v.LifecycleReason
	case v.Status == ClinicallyValidated:
		return "Clinically validated by a makerhub coordinator. Follow the hospital's own acceptance and cleaning procedures."
	case v.Status == Rejected:
		return "Rejected in review — do not print or use."
	}
	return "Not clinically validated: check with the receiving hospital before printing or use."
}

// authorOf is the name of a design's author and of the organisation it
// was shared for (empty for none).
func (s *Service) authorOf(ctx context.Context, d *Design) (author, affiliation string, err error) {
	u, err := s.accounts.LookupUser(ctx, d.AuthorID)
	if err != nil {
		return "", "", err
	}
	if d.OrganisationID != nil {
		o, err := s.accounts.LookupOrganisation(ctx, *d.OrganisationID)
		if err != nil && makerhub.ErrorCode(err) != makerhub.ENOTFOUND {
			return "", "", err
		}
		if o != nil {
			affiliation = o.Name
		}
	}
	return u.Name, affiliation, nil
}
