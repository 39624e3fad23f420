package load

import "sync"

// ledger is what the hub acknowledged with a success: after the day, and
// after every fault, all of it must still be there.
type ledger struct {
	mu        sync.Mutex
	users     map[string]int64 // email → user
	files     map[string]bool  // SHA-256 of uploads answered 201
	requests  map[int64]*requestLedger
	claims    map[int64][]int64 // job → makers whose claim was answered 200, in order
	releases  map[int64]int     // job → releases answered 200
	done      map[int64]bool    // jobs whose completion was answered 200
	batches   map[int64]batchLedger
	shipments map[int64]*shipmentLedger
}

type requestLedger struct {
	hosp      *actor
	quantity  int
	cancelled int
	received  int // units confirmed on receipt
}

type batchLedger struct {
	job, request int64
	quantity     int
}

type shipmentLedger struct {
	request    int64
	units      int
	dispatched bool
	received   *int
}

func newLedger() *ledger {
	return &ledger{users: map[string]int64{}, files: map[string]bool{}, requests: map[int64]*requestLedger{},
		claims: map[int64][]int64{}, releases: map[int64]int{}, done: map[int64]bool{},
		batches: map[int64]batchLedger{}, shipments: map[int64]*shipmentLedger{}}
}

func (d *ledger) signedUp(email string, user int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[email] = user
}

func (d *ledger) uploaded(sha string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.files[sha] = true
}

func (d *ledger) requested(id int64, hosp *actor, quantity int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.requests[id] = &requestLedger{hosp: hosp, quantity: quantity}
}

func (d *ledger) cancelled(id int64, units int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.requests[id].cancelled = units
}

func (d *ledger) claimed(job, maker int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.claims[job] = append(d.claims[job], maker)
}

func (d *ledger) released(job int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.releases[job]++
}

func (d *ledger) completed(job int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done[job] = true
}

func (d *ledger) produced(batch, job, request int64, quantity int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.batches[batch] = batchLedger{job: job, request: request, quantity: quantity}
}

func (d *ledger) shipped(id, request int64, units int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.shipments[id] = &shipmentLedger{request: request, units: units}
}

func (d *ledger) dispatched(id int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.shipments[id].dispatched = true
}

func (d *ledger) receivedShipment(id, request int64, units int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.shipments[id].received = &units
	if r := d.requests[request]; r != nil {
		r.received += units
	}
}

// Progress counts what the hub has acknowledged so far.
type Progress struct {
	Users, Files, Requests, Requested, Cancelled, Claims, Batches, Shipments, Received int
}

func (d *ledger) progress() Progress {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := Progress{Users: len(d.users), Files: len(d.files), Requests: len(d.requests), Batches: len(d.batches), Shipments: len(d.shipments)}
	for _, r := range d.requests {
		p.Requested += r.quantity
		p.Cancelled += r.cancelled
		p.Received += r.received
	}
	for _, c := range d.claims {
		p.Claims += len(c)
	}
	return p
}
