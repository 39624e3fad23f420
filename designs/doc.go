// Package designs will hold the design library: open designs, their
// versions and files, reviews, and the analysis of STL files on upload
// (issue 3). It depends on the root package and accounts only; see
// docs/architecture.md.
package designs
