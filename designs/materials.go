package designs

import (
	"slices"
	"strings"

	"github.com/makerhub/makerhub"
)

// Material is a printing material with the density the estimate uses.
type Material struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	DensityGCm3 float64 `json:"density_g_cm3"`
}

// Materials returns the filaments makers print with, with typical densities
// from manufacturers' data sheets. The slice is the caller's own copy.
func Materials() []Material { return slices.Clone(materials) }

// materials are Materials; nothing may change them.
var materials = []Material{
	{"PLA", "Polylactic acid", 1.24},
	{"PETG", "Polyethylene terephthalate glycol", 1.27},
	{"ABS", "Acrylonitrile butadiene styrene", 1.04},
	{"ASA", "Acrylonitrile styrene acrylate", 1.07},
	{"TPU", "Thermoplastic polyurethane (flexible)", 1.21},
	{"PC", "Polycarbonate", 1.20},
	{"PA", "Polyamide (nylon)", 1.14},
	{"PP", "Polypropylene", 0.90},
}

// LookupMaterial returns the material by id (any case), or EINVALID.
func LookupMaterial(id string) (Material, error) {
	for _, m := range materials {
		if strings.EqualFold(m.ID, strings.TrimSpace(id)) {
			return m, nil
		}
	}
	ids := make([]string, len(materials))
	for i, m := range materials {
		ids[i] = m.ID
	}
	return Material{}, makerhub.Errorf(makerhub.EINVALID, "material %q is not known: use one of %s.", id, strings.Join(ids, ", "))
}
