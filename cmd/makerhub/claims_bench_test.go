package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/makerhub/makerhub/internal/sqlite"
)

// claimStorm is what one storm of concurrent claims measured.
type claimStorm struct {
	won, lost, failed int
	elapsed           time.Duration
	latencies         []time.Duration
}

func (s claimStorm) rate() float64 { return float64(s.won) / s.elapsed.Seconds() }

func (s claimStorm) percentile(p float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	slices.Sort(s.latencies)
	return s.latencies[min(len(s.latencies)-1, int(p*float64(len(s.latencies))))]
}

// storm runs attempts claims from workers goroutines over jobs first…,
// each job raced for by two claims; claim returns "won", "lost" or
// "failed".
func storm(workers, attempts int, first int64, claim func(worker int, job int64) string) claimStorm {
	var next atomic.Int64
	var mu sync.Mutex
	var total claimStorm
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			var mine claimStorm
			for {
				k := next.Add(1) - 1
				if k >= int64(attempts) {
					break
				}
				t0 := time.Now()
				outcome := claim(w, first+k/2)
				mine.latencies = append(mine.latencies, time.Since(t0))
				switch outcome {
				case "won":
					mine.won++
				case "lost":
					mine.lost++
				default:
					mine.failed++
				}
			}
			mu.Lock()
			total.won, total.lost, total.failed = total.won+mine.won, total.lost+mine.lost, total.failed+mine.failed
			total.latencies = append(total.latencies, mine.latencies...)
			mu.Unlock()
		})
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

// claimsPerRun is how many jobs each storm claims; BENCH_CLAIMS overrides
// it (the figure is 100,000).
func claimsPerRun(b *testing.B) int {
	if v := os.Getenv("BENCH_CLAIMS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			b.Fatalf("BENCH_CLAIMS=%q: want a number ≥ 100", v)
		}
		return n
	}
	return 100_000
}

// BenchmarkClaims: 64 makers claim 100,000 one-unit jobs over HTTP from a
// hub in its own process, each job raced for by two makers (200,000
// attempts: exactly one 200 and one 409 per job). The anchor, in the same
// run, is the same claim transaction (UPDATE … RETURNING guarded by the
// job's state, plus its event row) from 64 goroutines straight on a SQLite
// file of the same schema: what the hub's HTTP, auth and eligibility
// checks cost on top of the database.
func BenchmarkClaims(b *testing.B) {
	const workers = 64
	n := claimsPerRun(b)
	bin := buildHub(b)
	h := startProcHub(b, bin, filepath.Join(b.TempDir(), "data"))
	seed := seedProduction(b, h, workers, n*b.N+1)

	// Anchor: raw SQLite, same file layout and schema, no hub.
	raw, rawFirst, err := rawClaimDB(b, filepath.Join(b.TempDir(), "raw.db"), n)
	if err != nil {
		b.Fatal(err)
	}
	rawRun := storm(workers, 2*n, rawFirst, func(w int, job int64) string {
		return rawClaim(raw, int64(w+1), job)
	})

	var api claimStorm
	var hubCPU, selfCPU time.Duration
	for b.Loop() {
		b.StopTimer()
		first := seedPoolJobs(b, h.dbPath(), seed, n)
		hub0, self0 := processCPU(b, h.PID()), processCPU(b, os.Getpid())
		b.StartTimer()
		api = storm(workers, 2*n, first, func(w int, job int64) string {
			switch status, _ := h.call(seed.makers[w], "POST", fmt.Sprintf("/api/v1/jobs/%d/claim", job), ""); status {
			case 200:
				return "won"
			case 409:
				return "lost"
			}
			return "failed"
		})
		hubCPU, selfCPU = processCPU(b, h.PID())-hub0, processCPU(b, os.Getpid())-self0
	}
	db, err := sqlite.Open(context.Background(), h.dbPath())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var twice int
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT job_id FROM job_events WHERE to_state = 'claimed'
		GROUP BY job_id HAVING count(*) > 1)`).Scan(&twice); err != nil {
		b.Fatal(err)
	}
	locked := strings.Count(h.Logs.String(), "database is locked")
	if fi, err := os.Stat(h.dbPath() + "-wal"); err == nil {
		b.Logf("WAL at the end: %.1f MB", float64(fi.Size())/1e6)
	}
	b.ReportMetric(api.rate(), "claims/s")
	b.ReportMetric(float64(api.percentile(0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(api.percentile(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(twice), "double-claims")
	b.ReportMetric(float64(api.failed+locked), "errors")
	b.ReportMetric(rawRun.rate(), "raw-sqlite-claims/s")
	// The rest is for docs/benchmarks.md (scripts/benchreport), which
	// takes every figure from the benchmark lines.
	b.ReportMetric(float64(n), "jobs")
	b.ReportMetric(float64(api.won), "won")
	b.ReportMetric(float64(api.lost), "lost")
	b.ReportMetric(float64(api.failed), "failed")
	b.ReportMetric(float64(locked), "db-locked")
	b.ReportMetric(float64(2*n)/api.elapsed.Seconds(), "calls/s")
	b.ReportMetric(api.elapsed.Seconds(), "storm-s")
	b.ReportMetric(hubCPU.Seconds(), "hub-cpu-s")
	b.ReportMetric(selfCPU.Seconds(), "loadgen-cpu-s")
	b.ReportMetric(float64(rawRun.percentile(0.5).Microseconds())/1000, "raw-sqlite-p50-ms")
	b.ReportMetric(float64(rawRun.percentile(0.99).Microseconds())/1000, "raw-sqlite-p99-ms")
	b.ReportMetric(float64(2*n)/rawRun.elapsed.Seconds(), "raw-sqlite-calls/s")
	b.ReportMetric(float64(rawRun.failed), "raw-sqlite-failed")
	b.Logf("HTTP: %d claims won, %d lost (409), %d failed in %v: %.0f claims/s, p50 %v, p99 %v; double claims %d, 'database is locked' in logs %d",
		api.won, api.lost, api.failed, api.elapsed.Round(time.Millisecond), api.rate(), api.percentile(0.5), api.percentile(0.99), twice, locked)
	b.Logf("CPU during the HTTP storm: hub %v (%.0f µs a request), load generator %v, of %v × 2 cores",
		hubCPU.Round(time.Millisecond), float64(hubCPU.Microseconds())/float64(2*n), selfCPU.Round(time.Millisecond), api.elapsed.Round(time.Millisecond))
	b.Logf("raw SQLite (anchor): %d won, %d lost, %d failed in %v: %.0f claims/s, p99 %v",
		rawRun.won, rawRun.lost, rawRun.failed, rawRun.elapsed.Round(time.Millisecond), rawRun.rate(), rawRun.percentile(0.99))
	if api.won != n || twice != 0 || api.failed != 0 {
		b.Fatalf("want %d claims won exactly once and no failures", n)
	}
}

// rawClaimDB makes a database with the hub's schema and n open jobs.
func rawClaimDB(b *testing.B, path string, n int) (*sql.DB, int64, error) {
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		return nil, 0, err
	}
	b.Cleanup(func() { db.Close() })
	now := sqlite.FormatTime(time.Now())
	stmts := []string{
		`INSERT INTO organisations (id, kind, name, address, lat, lon, created_at) VALUES (1, 'makers', 'F', 'A', 45, 5, '` + now + `')`,
		`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 64)
		 INSERT INTO users (id, email, name, role, organisation_id, password_hash, created_at)
		 SELECT i, 'm' || i || '@x.org', 'M', 'maker', 1, 'x', '` + now + `' FROM k`,
		`INSERT INTO designs (id, title, category, licence, author_id, material, layer_height_mm, infill_percent, perimeters,
		 supports, created_at, updated_at) VALUES (1, 'D', 'other', 'CC0-1.0', 1, 'PLA', 0.2, 20, 2, 0, '` + now + `', '` + now + `')`,
		`INSERT INTO design_versions (id, design_id, number, status, created_by, created_at, published_at)
		 VALUES (1, 1, 1, 'submitted', 1, '` + now + `', '` + now + `')`,
		`INSERT INTO requests (id, organisation_id, created_by, design_id, quantity, priority, needed_by, delivery_address, state,
		 reconfirmed_at, created_at, updated_at) VALUES (1, 1, 1, 1, ` + strconv.Itoa(n) + `, 'normal', '` + now + `', 'A', 'open', '` + now + `', '` + now + `', '` + now + `')`,
		`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ` + strconv.Itoa(n) + `)
		 INSERT INTO jobs (request_id, version_id, quantity, state, created_at, updated_at) SELECT 1, 1, 1, 'open', '` + now + `', '` + now + `' FROM k`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", s[:40], err)
		}
	}
	return db, 1, nil
}

// rawClaim is the hub's claim transaction without the hub.
func rawClaim(db *sql.DB, maker, job int64) string {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return "failed"
	}
	defer tx.Rollback()
	now := sqlite.FormatTime(time.Now())
	var request int64
	var quantity int
	err = tx.QueryRowContext(ctx, `UPDATE jobs SET state = 'claimed', claimed_by = ?1, lease_hash = 'h', lease_expires_at = ?2,
		updated_at = ?2 WHERE id = ?3 AND state = 'open' RETURNING request_id, quantity`, maker, now, job).Scan(&request, &quantity)
	if err == sql.ErrNoRows {
		return "lost"
	} else if err != nil {
		return "failed"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO job_events (job_id, request_id, actor_id, at, from_state, to_state, quantity)
		VALUES (?, ?, ?, ?, 'open', 'claimed', ?)`, job, request, maker, now, quantity); err != nil {
		return "failed"
	}
	if tx.Commit() != nil {
		return "failed"
	}
	return "won"
}

// processCPU is the user and system CPU time a process has used so far,
// from /proc/PID/stat (clock ticks of 10 ms).
func processCPU(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command name (which may hold spaces) start at ")".
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
