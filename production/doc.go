// Package production will hold printers and their capacity, hospital
// requests, routing of demand to makers, and race-free job claims (issue 4).
// It depends on designs and below; see docs/architecture.md.
package production
