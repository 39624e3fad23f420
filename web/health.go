package web

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
)

//go:embed openapi.json
var openapiJSON []byte

// handleHealthz answers as long as the process serves HTTP.
func (s *Server) handleHealthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// handleReadyz answers 200 only when the database and the object store both
// answer within the ready timeout; otherwise 503 naming what fails. Checks run
// at every probe, so readiness follows the dependencies without a restart.
func (s *Server) handleReadyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.readyTimeout)
	defer cancel()
	checks := map[string]func(context.Context) error{
		"database": func(ctx context.Context) error {
			var one int
			return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
		},
		"object store": s.blobs.Ping,
	}
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		failures []string
	)
	for name, check := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := check(ctx); err != nil {
				msg := makerhub.ErrorMessage(err)
				if makerhub.ErrorCode(err) == makerhub.EINTERNAL {
					msg = err.Error() // operators read /readyz; the cause is the point
				}
				mu.Lock()
				failures = append(failures, fmt.Sprintf("%s: %s", name, msg))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(failures)
	if len(failures) > 0 {
		s.http.RenderError(c, makerhub.Errorf(makerhub.EUNAVAILABLE, "Not ready: %s", strings.Join(failures, "; ")))
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// handleOpenAPI serves the API description.
func (s *Server) handleOpenAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", openapiJSON)
}
