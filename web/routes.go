package web

import (
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"
)

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

	// The pages (HTML, for browsers) and their assets.
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded folder is there by construction
	}
	e.StaticFS("/static", http.FS(static))
	pages := e.Group("", s.authenticate)
	pages.GET("/", s.handleHome)
	pages.GET("/lang/:code", s.handleLang)
	pages.GET("/login", s.handleLoginPage)
	pages.POST("/login", s.handleLoginForm)
	pages.POST("/logout", s.handleLogoutForm)
	pages.GET("/signup", s.handleSignupPage)
	pages.POST("/signup", s.handleSignupForm)
	pages.GET("/designs", s.handleLibrary)
	pages.GET("/designs/new", s.handleNewDesignPage)
	pages.POST("/designs/new", s.handleNewDesignForm)
	pages.GET("/designs/:id", s.handleDesignPage)
	pages.POST("/designs/:id/versions", s.designAction("version", s.handlePageNewVersion))
	pages.POST("/designs/:id/versions/:n/files", s.designAction("uploaded", s.handlePageUpload))
	pages.POST("/designs/:id/versions/:n/publish", s.designAction("published", s.handlePagePublish))
	pages.POST("/designs/:id/versions/:n/review", s.designAction("reviewed", s.handlePageReview))

	pages.GET("/dashboard", s.handleDashboard)
	pages.GET("/dashboard/places", s.handlePlacesPage)
	pages.GET("/dashboard/places.json", s.handlePlacesJSON)
	// A maker's actions,
	pages.POST("/dashboard/printers", s.act("printer", s.handleAddPrinter))
	pages.POST("/dashboard/spools", s.act("spool", s.handleAddSpool))
	pages.POST("/dashboard/jobs/:id/claim", s.act("claimed", s.handleClaim))
	pages.POST("/dashboard/jobs/:id/progress", s.act("progress", s.leased(s.production.Progress, true)))
	pages.POST("/dashboard/jobs/:id/complete", s.act("completed", s.leased(s.production.Complete, true)))
	pages.POST("/dashboard/jobs/:id/release", s.act("released", s.leased(s.production.Release, false)))
	pages.POST("/dashboard/jobs/:id/handover", s.act("handedover", s.handleHandOver))
	pages.POST("/dashboard/batches/:id/pass", s.act("passed", s.handlePass))
	pages.POST("/dashboard/batches/:id/ship", s.act("shipped", s.handleShip))
	pages.POST("/dashboard/shipments/:id/dispatch", s.act("dispatched", s.handleDispatch))
	// a hospital's,
	pages.POST("/dashboard/requests", s.act("requested", s.handleNewRequest))
	pages.POST("/dashboard/requests/:id/reconfirm", s.act("reconfirmed", s.handleReconfirm))
	pages.POST("/dashboard/requests/:id/cancel", s.act("cancelled", s.handleCancelRequest))
	pages.POST("/dashboard/shipments/:id/receive", s.act("received", s.handleReceive))
	// and a coordinator's.
	pages.POST("/dashboard/organisations/:id/verify", s.act("verified", s.handleVerify))
	pages.POST("/dashboard/routing", s.act("routed", s.handleRoute))
	pages.POST("/dashboard/recalls", s.act("recalled", s.handleLotRecall))

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
	api.GET("/files/:sha256/thumbnail.png", s.handleThumbnail)
	api.HEAD("/files/:sha256/thumbnail.png", s.handleThumbnail)

	api.GET("/printers", s.handlePrinterList)
	api.POST("/printers", s.handlePrinterCreate)
	api.GET("/printers/:id", s.handlePrinterView)
	api.PATCH("/printers/:id", s.handlePrinterUpdate)
	api.DELETE("/printers/:id", s.handlePrinterDelete)
	api.GET("/designs/:id/versions/:n/printers", s.handleVersionPrinters)

	api.GET("/requests", s.handleRequestList)
	api.POST("/requests", s.handleRequestCreate)
	api.GET("/requests/:id", s.handleRequestView)
	api.GET("/requests/:id/events", s.handleRequestEvents)
	api.POST("/requests/:id/lower", s.handleRequestLower)
	api.POST("/requests/:id/cancel", s.handleRequestCancel)
	api.POST("/requests/:id/reconfirm", s.handleRequestReconfirm)

	api.POST("/routing/runs", s.handleRoutingRun)
	api.GET("/routing/runs", s.handleRoutingRunList)
	api.GET("/routing/runs/:id", s.handleRoutingRunView)

	api.GET("/jobs", s.handleJobList)
	api.POST("/jobs", s.handleJobCreate)
	api.GET("/jobs/:id", s.handleJobView)
	api.GET("/jobs/:id/events", s.handleJobEvents)
	api.POST("/jobs/:id/claim", s.handleJobClaim)
	api.POST("/jobs/:id/progress", s.handleJobProgress)
	api.POST("/jobs/:id/complete", s.handleJobComplete)
	api.POST("/jobs/:id/release", s.handleJobRelease)
	api.POST("/jobs/:id/fail", s.handleJobFail)
	api.POST("/jobs/:id/cancel", s.handleJobCancel)
	api.POST("/jobs/:id/produce", s.handleJobProduce)

	api.GET("/locations", s.handleLocationList)
	api.GET("/locations/:id", s.handleLocationView)
	api.POST("/hubs", s.handleHubCreate)
	api.PUT("/quality-rules/:category", s.handleQualityRule)
	api.GET("/batches/:id", s.handleBatchView)
	api.GET("/batches/:id/movements", s.handleBatchMovements)
	api.GET("/stock", s.handleStockList)
	api.POST("/stock/movements", s.handleMovementCreate)
	api.GET("/trace/batches/:id", s.handleBatchTrace)
	api.GET("/shipments", s.handleShipmentList)
	api.POST("/shipments", s.handleShipmentCreate)
	api.GET("/shipments/:id", s.handleShipmentView)
	api.POST("/shipments/:id/dispatch", s.handleShipmentDispatch)
	api.POST("/shipments/:id/delivered", s.handleShipmentDelivered)
	api.POST("/shipments/:id/receive", s.handleShipmentReceive)
	api.POST("/shipments/:id/cancel", s.handleShipmentCancel)
	api.GET("/trace/shipments/:id", s.handleShipmentTrace)
	api.GET("/recalls", s.handleRecallList)
	api.POST("/recalls", s.handleRecallCreate)
	api.GET("/recalls/:id", s.handleRecallView)
	api.POST("/recalls/:id/batches/:batch/release", s.handleRecallRelease)
	api.GET("/spools", s.handleSpoolList)
	api.POST("/spools", s.handleSpoolCreate)
	api.PATCH("/spools/:id", s.handleSpoolUpdate)
	api.GET("/spools/:id/events", s.handleSpoolEvents)
	api.GET("/filament/forecast", s.handleFilamentForecast)
	api.GET("/reports/deliveries", s.handleDeliveryReport)
	api.GET("/reports/rejections", s.handleRejectionReport)
	api.GET("/exports/:name", s.handleExport)

	api.GET("/notifications", s.handleNotificationList)
	api.POST("/notifications/read", s.handleNotificationReadAll)
	api.POST("/notifications/:id/read", s.handleNotificationRead)
	api.GET("/organisations/:id/webhooks", s.handleWebhookList)
	api.POST("/organisations/:id/webhooks", s.handleWebhookCreate)
	api.GET("/webhooks/:id", s.handleWebhookView)
	api.PATCH("/webhooks/:id", s.handleWebhookUpdate)
	api.DELETE("/webhooks/:id", s.handleWebhookDelete)
	api.GET("/webhooks/:id/deliveries", s.handleWebhookDeliveries)
	api.POST("/webhook-deliveries/:id/retry", s.handleDeliveryRetry)
}
