package httpx

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
)

// PathID parses the :id path parameter, the ID of a what.
func PathID(c *gin.Context, what string) (int64, error) { return PathParamID(c, "id", what) }

// PathParamID parses the path parameter name, the ID of a what.
func PathParamID(c *gin.Context, name, what string) (int64, error) {
	raw := c.Param(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, makerhub.Errorf(makerhub.EINVALID, "%s ID %q is not valid: IDs are positive whole numbers.", what, raw)
	}
	return id, nil
}

// QueryInt parses an optional integer query parameter within [min, max].
func QueryInt(c *gin.Context, name string, def, min, max int) (int, error) {
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

// QueryBool parses an optional true/false query parameter.
func QueryBool(c *gin.Context, name string) (*bool, error) {
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

// NoRoute answers a path the hub does not serve.
func (p *Plumbing) NoRoute(c *gin.Context) {
	p.AbortWith(c, makerhub.ENOTFOUND, "There is no %s %s: see /api/v1/openapi.json for the routes.", c.Request.Method, c.Request.URL.Path)
}

// NoMethod answers a method a route does not take.
func NoMethod(c *gin.Context) {
	c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody{Error: errorDetail{
		Code:    "method_not_allowed",
		Message: "Method " + c.Request.Method + " is not allowed on " + c.Request.URL.Path + "; the Allow header lists those that are.",
	}})
}

// VersionParams parses :id and :n, a design and its version number.
func VersionParams(c *gin.Context) (int64, int, error) {
	id, err := PathID(c, "Design")
	if err != nil {
		return 0, 0, err
	}
	raw := c.Param("n")
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, 0, makerhub.Errorf(makerhub.EINVALID, "Version number %q is not valid: versions are numbered 1, 2, 3…", raw)
	}
	return id, n, nil
}
