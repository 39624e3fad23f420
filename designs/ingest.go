package designs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/designs/stl"
)

// ingest receives an upload into a temporary file while hashing it. An STL
// is analysed as it arrives, reading the file right behind the network (and
// a refused one stops the upload early); the object is stored as soon as the
// hash is known, while the analysis finishes. On two cores the upload then
// takes about as long as its slowest step, not the sum of them. If anything
// fails, nothing is left: a stored object is removed again (under the write
// lock, see removeIfUnreferenced) and the temporary file is deleted. On
// success the caller owns the temporary file; f gets its size and SHA-256.
func (s *Service) ingest(ctx context.Context, up Upload, f *File) (tmp *os.File, analysis []byte, created bool, err error) {
	file, err := s.spools.get()
	if err != nil {
		return nil, nil, false, fmt.Errorf("create a temporary file for the upload: %w", err)
	}
	defer func() {
		if err != nil { // the error returns leave tmp nil; every reader is done
			s.spools.put(file)
		}
	}()
	tmp = file
	sp := newSpool(tmp)
	t := &timeline{began: time.Now()}
	results := s.analyseAsync(sp, up, f)
	hashed := hashAsync(sp)
	n, rerr := io.CopyBuffer(sp, io.LimitReader(up.Body, s.maxUpload+1), make([]byte, copyBuffer))
	t.received = time.Now()
	receiveErr, refusedByAnalysis := s.judgeReceipt(ctx, tmp, sp, up, f, n, rerr)
	if refusedByAnalysis {
		sp.finish(errAborted)
		<-hashed
		return nil, nil, false, refused(f, (<-results).err)
	}
	sp.finish(receiveErr)
	sum := <-hashed
	t.hashed = time.Now()
	if err := checkReceived(tmp, f, n, sum, receiveErr); err != nil {
		if results != nil {
			<-results // the analysis stops on the writer's error
		}
		return nil, nil, false, err
	}
	analysis, created, err = s.storeWhileAnalysing(ctx, tmp, f, results, t)
	if err != nil {
		return nil, nil, false, err
	}
	return tmp, analysis, created, nil
}

// analysed is an STL analysis's outcome.
type analysed struct {
	a   *stl.Analysis
	err error
}

// analyseAsync analyses an STL upload as it arrives, on its own goroutine,
// stopping the upload at the first format error; nil for other kinds.
func (s *Service) analyseAsync(sp *spool, up Upload, f *File) chan analysed {
	if f.Kind != KindSTL {
		return nil
	}
	results := make(chan analysed, 1)
	go func() {
		var a *stl.Analysis
		var err error
		if up.Size >= 0 {
			a, err = s.analyzer.Analyze(sp.reader(), up.Size)
		} else {
			a, err = s.analyzer.AnalyzeStream(sp.reader(), up.Bound)
		}
		if stl.IsFormatError(err) {
			sp.stop(err) // no need to receive the rest
		}
		results <- analysed{a, err}
	}()
	return results
}

// hashAsync follows the upload on its own goroutine, so that receiving is
// only reading and writing; nil on a spool failure.
func hashAsync(sp *spool) chan []byte {
	hashed := make(chan []byte, 1)
	go func() {
		h := sha256.New()
		if _, err := io.CopyBuffer(h, sp.reader(), make([]byte, copyBuffer)); err != nil {
			hashed <- nil
			return
		}
		hashed <- h.Sum(nil)
	}()
	return hashed
}

// refused turns an analysis error into what the user sees.
func refused(f *File, err error) error {
	if stl.IsFormatError(err) {
		return makerhub.WrapError(err, makerhub.EUNPROCESSABLE, "%s is not a usable STL file: %v.", f.Name, err)
	}
	return fmt.Errorf("analyse %s: %w", f.Name, err)
}

// judgeReceipt says what went wrong with receiving n bytes, in order of
// precedence: the analysis stopping the upload (refusedByAnalysis); the
// upload failing on its own; the size rules; the analysis refusing a
// complete file (refusedByAnalysis). A reused spool file is cut to n.
func (s *Service) judgeReceipt(ctx context.Context, tmp *os.File, sp *spool, up Upload, f *File, n int64, rerr error) (receiveErr error, refusedByAnalysis bool) {
	var terr error
	if rerr == nil {
		// A reused spool file may hold an older upload's bytes past n.
		terr = tmp.Truncate(n)
	}
	switch {
	case errors.Is(rerr, errAborted):
		return nil, true
	case ctx.Err() != nil:
		return makerhub.WrapError(ctx.Err(), makerhub.EINVALID, "The upload of %s was interrupted.", f.Name), false
	case rerr != nil:
		var me *makerhub.Error
		if errors.As(rerr, &me) {
			return rerr, false
		}
		return makerhub.WrapError(rerr, makerhub.EINVALID, "The upload of %s was cut short after %d bytes: send it again.", f.Name, n), false
	case terr != nil:
		return fmt.Errorf("truncate the upload's temporary file: %w", terr), false
	case n > s.maxUpload:
		return s.tooLarge(f.Name), false
	case up.Size >= 0 && n != up.Size:
		return makerhub.Errorf(makerhub.EINVALID, "The upload of %s has %d bytes but announced %d: send it again.", f.Name, n, up.Size), false
	case sp.aborted():
		return nil, true
	case n == 0:
		return makerhub.Errorf(makerhub.EUNPROCESSABLE, "%s is empty.", f.Name), false
	}
	return nil, false
}

// checkReceived records a received file's size and hash and checks its
// content against its kind.
func checkReceived(tmp *os.File, f *File, n int64, sum []byte, receiveErr error) error {
	if receiveErr != nil {
		return receiveErr
	}
	if sum == nil {
		return errors.New("hash the upload: the spool failed")
	}
	f.Size, f.SHA256 = n, hex.EncodeToString(sum)
	return checkContent(tmp, f)
}

// timeline is where an upload's time goes, for operators tuning --tmp-dir
// or the object store (docs/performance-history.md has a profile).
type timeline struct {
	began, received, hashed, analysed, stored time.Time
}

// storeWhileAnalysing stores the object as soon as the hash is known while
// the analysis finishes; an analysis that refuses the file removes the
// object again if this upload created it.
func (s *Service) storeWhileAnalysing(ctx context.Context, tmp *os.File, f *File, results chan analysed, t *timeline) (analysis []byte, created bool, err error) {
	storeCtx, cancelStore := context.WithCancel(ctx)
	defer cancelStore()
	type stored struct {
		created bool
		err     error
	}
	done := make(chan stored, 1)
	go func() {
		c, err := s.storeObject(storeCtx, hashedFile(tmp, f), f.Size, f.SHA256)
		t.stored = time.Now()
		done <- stored{c, err}
	}()
	var aerr error
	if results != nil {
		r := <-results
		t.analysed = time.Now()
		if r.err != nil {
			aerr = refused(f, r.err)
			cancelStore()
		} else if analysis, aerr = json.Marshal(r.a); aerr != nil {
			cancelStore()
		}
	}
	st := <-done
	s.log.Debug("upload timeline", "name", f.Name, "bytes", f.Size, "received", t.received.Sub(t.began),
		"hashed", t.hashed.Sub(t.began), "analysed", sinceOrZero(t.analysed, t.began), "stored", t.stored.Sub(t.began))
	switch {
	case aerr != nil:
		if st.created {
			s.removeIfUnreferenced(context.WithoutCancel(ctx), f.SHA256)
		}
		return nil, false, aerr
	case st.err != nil:
		return nil, false, st.err
	}
	return analysis, st.created, nil
}

// sinceOrZero is t − start, or 0 when t was never set.
func sinceOrZero(t, start time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return t.Sub(start)
}

func (s *Service) tooLarge(name string) error {
	return makerhub.Errorf(makerhub.ETOOLARGE, "%s is larger than the hub's limit of %d MiB.", name, s.maxUpload>>20)
}

// checkContent checks that a non-STL file is what its name says, by its first
// bytes.
func checkContent(tmp *os.File, f *File) error {
	head := make([]byte, 512)
	n, err := tmp.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	head = head[:n]
	ok := true
	switch f.Kind {
	case KindPDF:
		ok = bytes.HasPrefix(head, []byte("%PDF-"))
	case KindSTEP:
		ok = bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf"), []byte("ISO-10303-21"))
	case KindImage:
		ok = http.DetectContentType(head) == f.MediaType
	}
	if !ok {
		what := strings.ToUpper(string(f.Kind)) + " file"
		if f.Kind == KindImage {
			what = strings.ToUpper(strings.TrimPrefix(f.MediaType, "image/")) + " image"
		}
		return makerhub.Errorf(makerhub.EUNPROCESSABLE, "%s does not look like a %s: check that it is the right file.", f.Name, what)
	}
	return nil
}
