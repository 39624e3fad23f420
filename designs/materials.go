package designs

import (
	"strings"

	"github.com/makerhub/makerhub"
)

// Material is a printing material with the density the estimate uses.
type Material struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	DensityGCm3 float64 `json:"density_g_cm3"`
}

// Materials are the filaments makers print with, with typical densities
// from manufacturers' data sheets.
var Materials = []Material{
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
	for _, m := range Materials {
		if strings.EqualFold(m.ID, strings.TrimSpace(id)) {
			return m, nil
		}
	}
	ids := make([]string, len(Materials))
	for i, m := range Materials {
		ids[i] = m.ID
	}
	return Material{}, makerhub.Errorf(makerhub.EINVALID, "material %q is not known: use one of %s.", id, strings.Join(ids, ", "))
}
