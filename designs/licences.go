package designs

import (
	"sort"
	"strings"

	"github.com/makerhub/makerhub"
)

// Licence is a design's licence by its SPDX identifier, with what it means
// for a hospital: some cannot accept licences that forbid commercial use
// (hospitals are often commercial entities) or derivatives (they may need to
// adapt a part to their equipment).
type Licence struct {
	ID                     string `json:"id"`
	Name                   string `json:"name"`
	RestrictsCommercialUse bool   `json:"restricts_commercial_use"`
	RestrictsDerivatives   bool   `json:"restricts_derivatives"`
}

// licences are the SPDX identifiers accepted for designs: the open-hardware,
// Creative Commons and common software licences that maker designs used in
// 2020 (including the deprecated GPL ids many repositories still carry).
var licences = func() map[string]Licence {
	m := map[string]Licence{}
	add := func(id, name string, nc, nd bool) {
		m[strings.ToLower(id)] = Licence{ID: id, Name: name, RestrictsCommercialUse: nc, RestrictsDerivatives: nd}
	}
	for _, v := range []string{"CERN-OHL-P-2.0", "CERN-OHL-W-2.0", "CERN-OHL-S-2.0"} {
		kind := map[byte]string{'P': "Permissive", 'W': "Weakly Reciprocal", 'S': "Strongly Reciprocal"}[v[9]]
		add(v, "CERN Open Hardware Licence Version 2 - "+kind, false, false)
	}
	add("CERN-OHL-1.2", "CERN Open Hardware Licence v1.2", false, false)
	add("TAPR-OHL-1.0", "TAPR Open Hardware License v1.0", false, false)
	add("SHL-2.1", "Solderpad Hardware License v2.1", false, false)
	add("CC0-1.0", "Creative Commons Zero v1.0 Universal", false, false)
	add("Unlicense", "The Unlicense", false, false)
	add("MIT", "MIT License", false, false)
	add("Apache-2.0", "Apache License 2.0", false, false)
	add("BSD-2-Clause", `BSD 2-Clause "Simplified" License`, false, false)
	add("BSD-3-Clause", `BSD 3-Clause "New" or "Revised" License`, false, false)
	add("MPL-2.0", "Mozilla Public License 2.0", false, false)
	for _, v := range []string{"2.0", "3.0"} {
		add("GPL-"+v, "GNU General Public License v"+v+" (deprecated id)", false, false)
		add("GPL-"+v+"-only", "GNU General Public License v"+v+" only", false, false)
		add("GPL-"+v+"-or-later", "GNU General Public License v"+v+" or later", false, false)
	}
	add("LGPL-3.0-or-later", "GNU Lesser General Public License v3.0 or later", false, false)
	for _, v := range []string{"3.0", "4.0"} {
		add("CC-BY-"+v, "Creative Commons Attribution "+v, false, false)
		add("CC-BY-SA-"+v, "Creative Commons Attribution Share Alike "+v, false, false)
		add("CC-BY-NC-"+v, "Creative Commons Attribution Non Commercial "+v, true, false)
		add("CC-BY-NC-SA-"+v, "Creative Commons Attribution Non Commercial Share Alike "+v, true, false)
		add("CC-BY-ND-"+v, "Creative Commons Attribution No Derivatives "+v, false, true)
		add("CC-BY-NC-ND-"+v, "Creative Commons Attribution Non Commercial No Derivatives "+v, true, true)
	}
	return m
}()

// LookupLicence returns the licence with the SPDX id (any case), or EINVALID
// naming a few accepted ids.
func LookupLicence(id string) (Licence, error) {
	l, ok := licences[strings.ToLower(strings.TrimSpace(id))]
	if !ok {
		if strings.TrimSpace(id) == "" {
			return Licence{}, makerhub.Errorf(makerhub.EINVALID, "licence is required: give an SPDX identifier such as CERN-OHL-P-2.0, CC-BY-4.0 or GPL-3.0-or-later.")
		}
		return Licence{}, makerhub.Errorf(makerhub.EINVALID, "licence %q is not an SPDX identifier the hub knows: use one such as CERN-OHL-P-2.0, CC-BY-4.0, CC-BY-NC-4.0 or GPL-3.0-or-later (GET /api/v1/licences lists them).", id)
	}
	return l, nil
}

// Licences lists the accepted licences by id.
func Licences() []Licence {
	out := make([]Licence, 0, len(licences))
	for _, l := range licences {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
