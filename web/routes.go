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

	api.GET("/licences", s.handleLicences)
	api.GET("/materials", s.handleMaterials)
	api.GET("/beds", s.handleBeds)

	api.GET("/designs", s.handleDesignList)
	api.POST("/designs", s.handleDesignCreate)
	api.GET("/designs/:id", s.handleDesignView)
	api.PATCH("/designs/:id", s.handleDesignUpdate)
	api.GET("/designs/:id/versions", s.handleVersionList)
	api.POST("/designs/:id/versions", s.handleVersionCreate)
	api.GET("/designs/:id/versions/:n", s.handleVersionView)
	api.POST("/designs/:id/versions/:n/publish", s.handleVersionPublish)
	api.POST("/designs/:id/versions/:n/review", s.handleVersionReview)
	api.POST("/designs/:id/versions/:n/lifecycle", s.handleVersionLifecycle)
	api.GET("/designs/:id/versions/:n/okh", s.handleVersionOKH)
	api.POST("/designs/:id/versions/:n/files", s.handleFileUpload)
	api.DELETE("/designs/:id/versions/:n/files/:sha256", s.handleFileRemove)

	api.GET("/files/:sha256", s.handleFileDownload)
	api.HEAD("/files/:sha256", s.handleFileDownload)
}
