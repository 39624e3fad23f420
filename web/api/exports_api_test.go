package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makerhub/makerhub/accounts"
	"github.com/makerhub/makerhub/internal/testenv"
)

// sheetCell is a cell as gnumeric stores it: ValueType 40 is a number (a
// date is a number with a date format), 60 text; a formula has none.
type sheetCell struct {
	Row         int    `xml:"Row,attr"`
	Col         int    `xml:"Col,attr"`
	ValueType   string `xml:"ValueType,attr"`
	ValueFormat string `xml:"ValueFormat,attr"`
	Text        string `xml:",chardata"`
}

// openInSpreadsheet opens a CSV file as a spreadsheet does: gnumeric's
// ssconvert imports it (guessing separators, quotes, encoding and types as
// its import does) and saves it in its own XML format, read back here.
func openInSpreadsheet(t *testing.T, data []byte) map[[2]int]sheetCell {
	t.Helper()
	ssconvert := testenv.Command(t, "ssconvert", "gnumeric")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "export.csv"), filepath.Join(dir, "export.gnumeric")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(ssconvert, "--export-type=Gnumeric_XmlIO:sax", in, out).CombinedOutput(); err != nil {
		t.Fatalf("ssconvert: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	cells := map[[2]int]sheetCell{}
	d := xml.NewDecoder(z)
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Cell" {
			var c sheetCell
			if err := d.DecodeElement(&c, &se); err != nil {
				t.Fatal(err)
			}
			cells[[2]int{c.Row, c.Col}] = c
		}
	}
	return cells
}

var (
	csvNumber = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	csvTime   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$`)
)

// checkExport checks an export as a file and as a spreadsheet sees it: a
// UTF-8 byte order mark, RFC 4180 records of the header's width, and in the
// spreadsheet the same cells — numbers as numbers, times as dates, text as
// the same text, and never a formula. It returns the records.
func checkExport(t *testing.T, name string, r *response) [][]string {
	t.Helper()
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), `attachment; filename="makerhub-`+name+"-") {
		t.Fatalf("export %s: %d %v %s", name, r.StatusCode, r.Header, r.Body)
	}
	body, ok := strings.CutPrefix(r.Body, "\ufeff")
	if !ok {
		t.Fatalf("export %s has no byte order mark", name)
	}
	if !strings.HasSuffix(body, "\r\n") {
		t.Fatalf("export %s does not end its records with CRLF", name)
	}
	cr := csv.NewReader(strings.NewReader(body))
	records, err := cr.ReadAll() // every record as wide as the header
	if err != nil {
		t.Fatalf("export %s is not RFC 4180 CSV: %v", name, err)
	}
	cells := openInSpreadsheet(t, []byte(r.Body))
	for i, rec := range records {
		for j, v := range rec {
			c, ok := cells[[2]int{i, j}]
			where := name + " " + strconv.Itoa(i) + "," + strconv.Itoa(j) + " (" + records[0][j] + ")"
			switch {
			case v == "":
				if ok {
					t.Errorf("%s: empty in the file, %+v in the spreadsheet", where, c)
				}
			case !ok || c.ValueType == "":
				t.Errorf("%s: %q became %+v in the spreadsheet (a formula, or nothing)", where, v, c)
			case i > 0 && csvTime.MatchString(v):
				if c.ValueType != "40" || !strings.Contains(c.ValueFormat, "yy") {
					t.Errorf("%s: date %q is not a date in the spreadsheet: %+v", where, v, c)
				}
			case i > 0 && csvNumber.MatchString(v):
				if f, _ := strconv.ParseFloat(v, 64); c.ValueType != "40" || c.Text != strconv.FormatFloat(f, 'g', -1, 64) {
					t.Errorf("%s: number %q is %+v in the spreadsheet", where, v, c)
				}
			default:
				if want := strings.TrimPrefix(v, "'"); c.ValueType != "60" || c.Text != want {
					t.Errorf("%s: text %q is %+v in the spreadsheet; want the text %q", where, v, c, want)
				}
			}
		}
	}
	if len(cells) > 0 {
		last := 0
		for k := range cells {
			last = max(last, k[0])
		}
		if last >= len(records) {
			t.Errorf("export %s: the spreadsheet has rows up to %d for %d records", name, last, len(records))
		}
	}
	return records
}

// column returns the values of a named column.
func column(records [][]string, name string) []string {
	i := -1
	for j, h := range records[0] {
		if h == name {
			i = j
		}
	}
	var out []string
	for _, r := range records[1:] {
		if i >= 0 {
			out = append(out, r[i])
		}
	}
	return out
}

// TestCheckExportCatchesAFormula makes sure the spreadsheet check above can
// fail: a bare formula in a CSV file is run by the spreadsheet.
func TestCheckExportCatchesAFormula(t *testing.T) {
	cells := openInSpreadsheet(t, []byte("\ufeffa,b\r\n=1+1,'=1+1\r\n"))
	if c := cells[[2]int{1, 0}]; c.ValueType != "" {
		t.Fatalf("a bare =1+1 opened as %+v; want a formula", c)
	}
	if c := cells[[2]int{1, 1}]; c.ValueType != "60" || c.Text != "=1+1" {
		t.Fatalf("'=1+1 opened as %+v; want the text =1+1", c)
	}
	if !bytes.Equal([]byte(cells[[2]int{0, 0}].Text), []byte("a")) {
		t.Fatalf("the byte order mark leaked into the first cell: %q", cells[[2]int{0, 0}].Text)
	}
}

// An export that fails after its first rows cuts the connection: the
// client sees a broken download, never a short file that looks whole.
func TestExportFailingMidwayCutsTheConnection(t *testing.T) {
	h := newTestHub(t, accounts.Options{})
	maker, hospital, coord := h.NewCaller("maker"), h.NewCaller("hospital"), h.NewCaller("coordinator")
	p := &prodWorld{Coord: coord, Hospital: hospital}
	p.Design = h.Published(maker)
	h.NewPrinter(maker)
	p.Request = h.NewRequest(p, 10)
	batch, site := h.newBatch(p, maker)
	// A movement whose time cannot be read, after the batch's good one.
	if _, err := h.DB.Exec(`INSERT INTO movements (batch_id, kind, from_location_id, from_status, quantity, reason, at)
		VALUES (?, 'adjusted', ?, 'unchecked', 1, 'corrupt', '2026-02-30T99:00:00.000Z')`, batch, site); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("GET", h.TS.URL+"/api/v1/exports/ledger.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+coord.Token)
	// The cut comes before the buffered head was sent (an error here), or
	// in the middle of the body (an error reading it); never a clean end.
	if resp, err := h.TS.Client().Do(req); err == nil {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Fatalf("status %d and a complete body; want a cut download\n%s", resp.StatusCode, body)
		}
	}
	if !strings.Contains(h.Logs.String(), "export cut short") {
		t.Errorf("the failure was not logged:\n%s", h.Logs.String())
	}
}
