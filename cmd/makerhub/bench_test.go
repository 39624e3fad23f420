package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/makerhub/makerhub/designs/stl/stltest"
	"github.com/makerhub/makerhub/internal/testenv"
)

// BenchmarkUpload200MB uploads a 200 MB binary STL (4,000,000 triangles)
// through the API of a real hub process into a real MinIO, and, as the
// anchor in the same run, puts the same file with plain minio-go PutObject,
// the two alternating. It reports the hub's peak resident memory over its
// whole life (VmHWM, read before SIGTERM) and the ratio of the median times.
func BenchmarkUpload200MB(b *testing.B) {
	m := testenv.StartMinIO(b)
	dir := b.TempDir()
	stlPath := filepath.Join(dir, "torus-4m.stl")
	f, err := os.Create(stlPath)
	if err != nil {
		b.Fatal(err)
	}
	if err := stltest.WriteBinary(f, "solid torus 4M", stltest.Torus(2000, 1000, 80, 20)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(stlPath)

	// Each round uploads the file once with plain minio-go (the anchor) and
	// once through the hub's API, alternating, and the medians are compared:
	// on a shared 2-core machine the anchor alone drifts by 10-15 % between
	// runs, and alternating keeps the two under the same conditions.
	client, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, "")})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := client.MakeBucket(ctx, "anchor", minio.MakeBucketOptions{}); err != nil {
		b.Fatal(err)
	}
	hub := startBenchHub(b, m, dir)
	token := hub.login("maker@example.org")
	var anchors, apis []float64
	// CPU seconds spent per round, by process: where the time goes on a
	// machine whose 2 cores the client, MinIO and the hub share.
	var cpuAnchorMinIO, cpuAPIMinIO, cpuAPIHub []float64
	b.SetBytes(fi.Size())
	for b.Loop() {
		f, _ := os.Open(stlPath)
		m0 := cpuSeconds(b, m.PID())
		start := time.Now()
		if _, err := client.PutObject(ctx, "anchor", "torus.stl", f, fi.Size(), minio.PutObjectOptions{}); err != nil {
			b.Fatal(err)
		}
		anchors = append(anchors, time.Since(start).Seconds())
		cpuAnchorMinIO = append(cpuAnchorMinIO, cpuSeconds(b, m.PID())-m0)
		f.Close()

		design := hub.postID(token, "/api/v1/designs", `{"title":"torus","category":"other","licence":"CC0-1.0"}`)
		hub.postID(token, fmt.Sprintf("/api/v1/designs/%d/versions", design), `{}`)
		f, _ = os.Open(stlPath)
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/designs/%d/versions/1/files?name=torus.stl", hub.URL(), design), f)
		req.ContentLength = fi.Size()
		req.Header.Set("Authorization", "Bearer "+token)
		m0, h0 := cpuSeconds(b, m.PID()), cpuSeconds(b, hub.PID())
		start = time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		apis = append(apis, time.Since(start).Seconds())
		cpuAPIMinIO = append(cpuAPIMinIO, cpuSeconds(b, m.PID())-m0)
		cpuAPIHub = append(cpuAPIHub, cpuSeconds(b, hub.PID())-h0)
		f.Close()
		if resp.StatusCode != 201 {
			b.Fatalf("upload: %d %s", resp.StatusCode, body)
		}
		var file struct{ SHA256 string }
		json.Unmarshal(body, &file)
		// Remove it again, so that the next upload stores the object
		// anew instead of finding it already there.
		hub.must(204, token, "DELETE", fmt.Sprintf("/api/v1/designs/%d/versions/1/files/%s", design, file.SHA256), "", nil)
	}
	peak := stopForPeak(b, hub)
	anchorMed, _ := medianMin(anchors)
	apiMed, _ := medianMin(apis)
	anchor := time.Duration(anchorMed * float64(time.Second))
	api := time.Duration(apiMed * float64(time.Second))
	b.ReportMetric(float64(peak)/(1<<20), "server-peak-MiB")
	b.ReportMetric(anchorMed, "putobject-median-s")
	b.ReportMetric(apiMed, "api-median-s")
	b.ReportMetric(apiMed/anchorMed, "api/putobject")
	hubCPU, _ := medianMin(cpuAPIHub)
	b.ReportMetric(hubCPU, "hub-cpu-s/upload")
	if len(anchors) > 0 {
		aM, _ := medianMin(cpuAnchorMinIO)
		pM, _ := medianMin(cpuAPIMinIO)
		b.ReportMetric(aM, "anchor-minio-cpu-s/upload")
		b.ReportMetric(pM, "api-minio-cpu-s/upload")
		b.Logf("CPU per round (medians): anchor: MinIO %.2f s; API: hub %.2f s, MinIO %.2f s", aM, hubCPU, pM)
	}
	if anchor > 0 && api > 0 {
		b.Logf("upload of %d MB, %d rounds alternating: API median %v, plain PutObject median %v: %.2f× (target ≤ 2×)",
			fi.Size()/1e6, len(apis), api.Round(time.Millisecond), anchor.Round(time.Millisecond), float64(api)/float64(anchor))
	}
}

// cpuSeconds is the user and system CPU time process pid has used so far,
// from /proc/pid/stat.
func cpuSeconds(b *testing.B, pid int) float64 {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// count the fields after it. utime and stime are fields 14 and 15.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	var utime, stime float64
	fmt.Sscan(fields[11], &utime)
	fmt.Sscan(fields[12], &stime)
	return (utime + stime) / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/pid/stat times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// startBenchHub starts a hub process storing its files in m, with a maker
// account (maker@example.org). BENCH_HUB_LOG_LEVEL, BENCH_HUB_TMP,
// BENCH_HUB_DEBUG_ADDR and BENCH_HUB_GODEBUG tune it for profiling.
func startBenchHub(b *testing.B, m *testenv.MinIO, dir string) *procHub {
	bin := buildHub(b)
	data := filepath.Join(dir, "data")
	env := append(os.Environ(), "MAKERHUB_S3_ENDPOINT="+m.Endpoint, "MAKERHUB_S3_ACCESS_KEY="+m.AccessKey,
		"MAKERHUB_S3_SECRET_KEY="+m.SecretKey, "MAKERHUB_S3_BUCKET=bench", "MAKERHUB_DATA="+data)
	create := exec.Command(bin, "users", "create", "--email", "maker@example.org", "--name", "Maker", "--role", "maker",
		"--org-name", "Fablab", "--org-address", "Lyon", "--org-lat", "45.76", "--org-lon", "4.84")
	create.Env, create.Stdin = env, strings.NewReader("a long test password\n")
	if out, err := create.CombinedOutput(); err != nil {
		b.Fatalf("users create: %v\n%s", err, out)
	}
	args := []string{"--log-level", cmp.Or(os.Getenv("BENCH_HUB_LOG_LEVEL"), "warn")}
	if v := os.Getenv("BENCH_HUB_TMP"); v != "" {
		args = append(args, "--tmp-dir", v)
	}
	if v := os.Getenv("BENCH_HUB_DEBUG_ADDR"); v != "" {
		args = append(args, "--debug-addr", v)
	}
	h := testenv.NewHub(b, bin, data, args...)
	h.Env = env
	if v := os.Getenv("BENCH_HUB_GODEBUG"); v != "" {
		h.Env = append(h.Env, "GODEBUG="+v)
	}
	h.Start()
	return &procHub{HubProcess: h, tb: b, client: http.DefaultClient}
}

// stopForPeak ends the hub with SIGTERM and returns its peak resident
// memory: VmHWM, the high-water mark of its address space. (rusage's maxrss
// would be wrong here: Linux carries the parent's high-water mark across fork
// and exec, and the benchmark process held the 4M-triangle mesh it
// generated.)
func stopForPeak(b *testing.B, h *procHub) int64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.PID()))
	if err != nil {
		b.Fatal(err)
	}
	var kb int64
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
		}
	}
	if err := h.Stop(); err != nil {
		b.Fatal(err)
	}
	if kb == 0 {
		b.Fatal("no VmHWM in /proc status")
	}
	return kb << 10
}

// postID posts body and returns the ID of what it created.
func (h *procHub) postID(token, path, body string) int64 {
	h.tb.Helper()
	var r struct{ ID int64 }
	h.must(201, token, "POST", path, body, &r)
	return r.ID
}
