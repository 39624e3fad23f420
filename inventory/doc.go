// Package inventory will hold the stock ledger, quality checks, shipments,
// filament and the traceability of every batch for recalls (issue 5). It
// depends on production and below; see docs/architecture.md.
package inventory
