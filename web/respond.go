package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
)

// list is the envelope of every paginated listing.
type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// pathID parses the :id path parameter.
func pathID(c *gin.Context, what string) (int64, error) { return pathParamID(c, "id", what) }

// pathParamID parses the path parameter name, the ID of a what.
func pathParamID(c *gin.Context, name, what string) (int64, error) {
	raw := c.Param(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, makerhub.Errorf(makerhub.EINVALID, "%s ID %q is not valid: IDs are positive whole numbers.", what, raw)
	}
	return id, nil
}

// queryInt parses an optional integer query parameter within [min, max].
func queryInt(c *gin.Context, name string, def, min, max int) (int, error) {
	raw, ok := c.GetQuery(name)
	if !ok || raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		return 0, makerhub.Errorf(makerhub.EINVALID, "Query parameter %s=%q must be a whole number from %d to %d.", name, raw, min, max)
	}
	return n, nil
}

// queryBool parses an optional true/false query parameter.
func queryBool(c *gin.Context, name string) (*bool, error) {
	raw, ok := c.GetQuery(name)
	if !ok || raw == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return nil, makerhub.Errorf(makerhub.EINVALID, "Query parameter %s=%q must be true or false.", name, raw)
	}
	return &b, nil
}

func (s *Server) handleNoRoute(c *gin.Context) {
	s.abortWith(c, makerhub.ENOTFOUND, "There is no %s %s: see /api/v1/openapi.json for the routes.", c.Request.Method, c.Request.URL.Path)
}

func (s *Server) handleNoMethod(c *gin.Context) {
	c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody{Error: errorDetail{
		Code:    "method_not_allowed",
		Message: "Method " + c.Request.Method + " is not allowed on " + c.Request.URL.Path + "; the Allow header lists those that are.",
	}})
}
