// Package routing turns open hospital demand into print jobs offered to
// makers: a pure function from a Problem (printers, design versions, open
// request lines) to a Result (jobs, unallocated units with their causes,
// figures). It knows no database and no HTTP; the production package fills
// the Problem and stores the jobs.
//
// Solve is exact for the model of docs/routing.md: flow of printer minutes
// from per-printer day buckets to requests, restricted to each request's
// nearest eligible printers in its planning region, optimised
// lexicographically (priority-weighted units on time, then lateness, then
// distance) with the network simplex of production/mcf. Greedy is the
// baseline it is measured against. Generate builds the seeded national
// instance the benchmarks (and later the load generator) use.
//
// Routing leaves claimed and in-progress jobs alone: they reach it only as
// Printer.BookedMinutes (time already taken) and as units already
// subtracted from Request.Units.
package routing
