package web

import "github.com/gin-gonic/gin"

// routes registers every route of the hub: this file is the map of the API.
// docs/api (served at /api/v1/openapi.json) describes each one; a test keeps
// the two in step.
func (s *Server) routes() {
	e := s.engine
	e.Use(withRequestID, s.recoverPanics, s.logRequests, s.refuseCrossOrigin)
	e.NoRoute(s.handleNoRoute)
	e.NoMethod(s.handleNoMethod)

	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", gin.WrapH(s.metrics.handler()))

	api := e.Group("/api/v1", s.authenticate)
	api.GET("/openapi.json", s.handleOpenAPI)

	api.POST("/auth/signup", s.handleSignup)
	api.POST("/auth/login", s.handleLogin)
	api.POST("/auth/logout", s.handleLogout)
	api.GET("/me", s.handleMe)

	api.GET("/tokens", s.handleTokenList)
	api.POST("/tokens", s.handleTokenCreate)
	api.DELETE("/tokens/:id", s.handleTokenRevoke)

	api.GET("/organisations", s.handleOrganisationList)
	api.GET("/organisations/:id", s.handleOrganisationView)
	api.POST("/organisations/:id/verify", s.handleOrganisationVerify)
}
