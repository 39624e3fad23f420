// Package webtest is a real hub for the web packages' tests (web, web/api,
// web/ui): SQLite in a temp folder, a blob store, the whole server on a
// loopback port, callers of each role, and helpers that make designs,
// printers, requests and jobs through the API. Only tests import it.
package webtest
