// Package makerhub holds the vocabulary every part of the hub shares: the
// coded Error type, roles and the acting user carried in a context, and the
// BlobStore interface that object-storage backends implement.
//
// It deliberately holds no business rules and imports nothing of ours: domain
// packages (accounts, designs, production, inventory) depend on it, adapters
// (SQLite, blob backends, web) implement or consume it, and cmd/makerhub wires
// them together. See docs/architecture.md.
package makerhub

// Version is the build's version, set at link time with
// -ldflags "-X github.com/makerhub/makerhub.Version=v1.2.3". It stays a
// package variable, the one in the module: the linker's -X can only set a
// string variable, and nothing assigns it at run time.
var Version = "dev"
