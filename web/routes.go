package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/web/api"
	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/ui"
)

// routes registers every route of the hub, the pages' (web/ui, p) and the
// API's (web/api, a): this file is the map of the hub. openapi.json (served
// at /api/v1/openapi.json) describes each API route; a test keeps the two in
// step.
func (s *Server) routes() {
	e := s.engine
	x := s.http
	e.Use(httpx.WithRequestID, x.RecoverPanics, x.LogRequests, x.RefuseCrossOrigin)
	e.NoRoute(x.NoRoute)
	e.NoMethod(httpx.NoMethod)

	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", gin.WrapH(x.Metrics.Handler()))

	// The pages (HTML, for browsers) and their assets.
	e.StaticFS("/static", http.FS(ui.Static()))
	pages := e.Group("", x.Authenticate)
	s.pageRoutes(pages, s.ui)
	s.dashboardRoutes(pages, s.ui)

	// The JSON API.
	v1 := e.Group("/api/v1", x.Authenticate)
	v1.GET("/openapi.json", s.handleOpenAPI)
	s.accountRoutes(v1, s.api)
	s.designRoutes(v1, s.api)
	s.productionRoutes(v1, s.api)
	s.inventoryRoutes(v1, s.api)
	s.notificationRoutes(v1, s.api)
}

// pageRoutes: the home page, languages, logging in and signing up, the
// design library and a design's page with its forms.
func (s *Server) pageRoutes(pages *gin.RouterGroup, p *ui.Handler) {
	pages.GET("/", p.HandleHome)
	pages.GET("/lang/:code", p.HandleLang)
	pages.GET("/login", p.HandleLoginPage)
	pages.POST("/login", p.HandleLoginForm)
	pages.POST("/logout", p.HandleLogoutForm)
	pages.GET("/password-reset", p.HandleResetPage)
	pages.POST("/password-reset", p.HandleResetForm)
	pages.GET("/password-reset/confirm", p.HandleResetConfirmPage)
	pages.POST("/password-reset/confirm", p.HandleResetConfirmForm)
	pages.GET("/account", p.HandleAccountPage)
	pages.POST("/account/password", p.HandlePasswordForm)
	pages.POST("/account/contact", p.HandleContactForm)
	pages.POST("/account/invitations", p.HandleInviteForm)
	pages.GET("/signup", p.HandleSignupPage)
	pages.POST("/signup", p.HandleSignupForm)
	pages.GET("/designs", p.HandleLibrary)
	pages.GET("/designs/new", p.HandleNewDesignPage)
	pages.POST("/designs/new", p.HandleNewDesignForm)
	pages.GET("/designs/:id", p.HandleDesignPage)
	pages.POST("/designs/:id/versions", p.DesignAction("version", p.PageNewVersion))
	pages.POST("/designs/:id/versions/:n/files", p.DesignAction("uploaded", p.PageUpload))
	pages.POST("/designs/:id/versions/:n/publish", p.DesignAction("published", p.PagePublish))
	pages.POST("/designs/:id/versions/:n/review", p.DesignAction("reviewed", p.PageReview))
}

// dashboardRoutes: each role's dashboard, the coordinator's map, and the
// dashboard's forms, each one service call run by ui.Handler.Act.
func (s *Server) dashboardRoutes(pages *gin.RouterGroup, p *ui.Handler) {
	pages.GET("/dashboard", p.HandleDashboard)
	pages.GET("/dashboard/places", p.HandlePlacesPage)
	pages.GET("/dashboard/audit", p.HandleAuditPage)
	pages.GET("/dashboard/places.json", p.HandlePlacesJSON)
	// A maker's actions,
	pages.POST("/dashboard/printers", p.Act("printer", p.AddPrinter()))
	pages.POST("/dashboard/spools", p.Act("spool", p.AddSpool()))
	pages.POST("/dashboard/jobs/:id/claim", p.Act("claimed", p.Claim()))
	pages.POST("/dashboard/jobs/:id/progress", p.Act("progress", p.Progress()))
	pages.POST("/dashboard/jobs/:id/complete", p.Act("completed", p.Complete()))
	pages.POST("/dashboard/jobs/:id/release", p.Act("released", p.Release()))
	pages.POST("/dashboard/jobs/:id/handover", p.Act("handedover", p.HandOver()))
	pages.POST("/dashboard/batches/:id/pass", p.Act("passed", p.Pass()))
	pages.POST("/dashboard/batches/:id/ship", p.Act("shipped", p.Ship()))
	pages.POST("/dashboard/shipments/:id/dispatch", p.Act("dispatched", p.Dispatch()))
	// a hospital's,
	pages.POST("/dashboard/requests", p.Act("requested", p.NewRequest()))
	pages.POST("/dashboard/requests/:id/reconfirm", p.Act("reconfirmed", p.Reconfirm()))
	pages.POST("/dashboard/requests/:id/cancel", p.Act("cancelled", p.CancelRequest()))
	pages.POST("/dashboard/shipments/:id/receive", p.Act("received", p.Receive()))
	// and a coordinator's.
	pages.POST("/dashboard/organisations/:id/verify", p.Act("verified", p.Verify()))
	pages.POST("/dashboard/routing", p.Act("routed", p.Route()))
	pages.POST("/dashboard/recalls", p.Act("recalled", p.LotRecall()))
}

// accountRoutes: signing up and in, the caller, tokens, organisations.
func (s *Server) accountRoutes(v1 *gin.RouterGroup, a *api.Handler) {
	v1.POST("/auth/signup", a.HandleSignup)
	v1.POST("/auth/login", a.HandleLogin)
	v1.POST("/auth/logout", a.HandleLogout)
	v1.POST("/auth/password", a.HandlePasswordChange)
	v1.POST("/auth/password-reset", a.HandlePasswordReset)
	v1.POST("/auth/password-reset/confirm", a.HandlePasswordResetConfirm)
	v1.POST("/users/:id/password-reset", a.HandleUserPasswordReset)
	v1.POST("/users/:id/suspend", a.HandleUserSuspend)
	v1.POST("/users/:id/reinstate", a.HandleUserReinstate)
	v1.GET("/audit", a.HandleAuditList)
	v1.GET("/audit.csv", a.HandleAuditCSV)
	v1.GET("/me", a.HandleMe)

	v1.GET("/tokens", a.HandleTokenList)
	v1.POST("/tokens", a.HandleTokenCreate)
	v1.DELETE("/tokens/:id", a.HandleTokenRevoke)

	v1.GET("/organisations", a.HandleOrganisationList)
	v1.GET("/organisations/:id", a.HandleOrganisationView)
	v1.POST("/organisations/:id/verify", a.HandleOrganisationVerify)
	v1.PUT("/organisations/:id/contact", a.HandleOrganisationContact)
	v1.POST("/organisations/:id/invitations", a.HandleInvite)
	v1.GET("/organisations/:id/invitations", a.HandleInvitationList)
	v1.DELETE("/invitations/:id", a.HandleInvitationRevoke)
}

// designRoutes: the design library, its versions, files and thumbnails.
func (s *Server) designRoutes(v1 *gin.RouterGroup, a *api.Handler) {
	v1.GET("/licences", a.HandleLicences)
	v1.GET("/materials", a.HandleMaterials)
	v1.GET("/beds", a.HandleBeds)

	v1.GET("/designs", a.HandleDesignList)
	v1.POST("/designs", a.HandleDesignCreate)
	v1.GET("/designs/:id", a.HandleDesignView)
	v1.PATCH("/designs/:id", a.HandleDesignUpdate)
	v1.GET("/designs/:id/versions", a.HandleVersionList)
	v1.POST("/designs/:id/versions", a.HandleVersionCreate)
	v1.GET("/designs/:id/versions/:n", a.HandleVersionView)
	v1.POST("/designs/:id/versions/:n/publish", a.HandleVersionPublish)
	v1.POST("/designs/:id/versions/:n/review", a.HandleVersionReview)
	v1.POST("/designs/:id/versions/:n/lifecycle", a.HandleVersionLifecycle)
	v1.GET("/designs/:id/versions/:n/okh", a.HandleVersionOKH)
	v1.POST("/designs/:id/versions/:n/files", a.HandleFileUpload)
	v1.DELETE("/designs/:id/versions/:n/files/:sha256", a.HandleFileRemove)

	v1.GET("/files/:sha256", a.HandleFileDownload)
	v1.HEAD("/files/:sha256", a.HandleFileDownload)
	v1.GET("/files/:sha256/thumbnail.png", a.HandleThumbnail)
	v1.HEAD("/files/:sha256/thumbnail.png", a.HandleThumbnail)
}

// productionRoutes: printers, requests, routing runs and jobs.
func (s *Server) productionRoutes(v1 *gin.RouterGroup, a *api.Handler) {
	v1.GET("/printers", a.HandlePrinterList)
	v1.POST("/printers", a.HandlePrinterCreate)
	v1.GET("/printers/:id", a.HandlePrinterView)
	v1.PATCH("/printers/:id", a.HandlePrinterUpdate)
	v1.DELETE("/printers/:id", a.HandlePrinterDelete)
	v1.GET("/designs/:id/versions/:n/printers", a.HandleVersionPrinters)

	v1.GET("/requests", a.HandleRequestList)
	v1.POST("/requests", a.HandleRequestCreate)
	v1.GET("/requests/:id", a.HandleRequestView)
	v1.GET("/requests/:id/events", a.HandleRequestEvents)
	v1.POST("/requests/:id/lower", a.HandleRequestLower)
	v1.POST("/requests/:id/cancel", a.HandleRequestCancel)
	v1.POST("/requests/:id/reconfirm", a.HandleRequestReconfirm)

	v1.POST("/routing/runs", a.HandleRoutingRun)
	v1.GET("/routing/runs", a.HandleRoutingRunList)
	v1.GET("/routing/runs/:id", a.HandleRoutingRunView)

	v1.GET("/jobs", a.HandleJobList)
	v1.POST("/jobs", a.HandleJobCreate)
	v1.GET("/jobs/:id", a.HandleJobView)
	v1.GET("/jobs/:id/events", a.HandleJobEvents)
	v1.POST("/jobs/:id/claim", a.HandleJobClaim)
	v1.POST("/jobs/:id/progress", a.HandleJobProgress)
	v1.POST("/jobs/:id/complete", a.HandleJobComplete)
	v1.POST("/jobs/:id/release", a.HandleJobRelease)
	v1.POST("/jobs/:id/fail", a.HandleJobFail)
	v1.POST("/jobs/:id/cancel", a.HandleJobCancel)
	v1.POST("/jobs/:id/produce", a.HandleJobProduce)
}

// inventoryRoutes: locations, batches, stock, shipments, traces, recalls,
// filament, reports and exports.
func (s *Server) inventoryRoutes(v1 *gin.RouterGroup, a *api.Handler) {
	v1.GET("/locations", a.HandleLocationList)
	v1.GET("/locations/:id", a.HandleLocationView)
	v1.POST("/hubs", a.HandleHubCreate)
	v1.PUT("/quality-rules/:category", a.HandleQualityRule)
	v1.GET("/batches/:id", a.HandleBatchView)
	v1.GET("/batches/:id/movements", a.HandleBatchMovements)
	v1.GET("/stock", a.HandleStockList)
	v1.POST("/stock/movements", a.HandleMovementCreate)
	v1.GET("/trace/batches/:id", a.HandleBatchTrace)
	v1.GET("/shipments", a.HandleShipmentList)
	v1.POST("/shipments", a.HandleShipmentCreate)
	v1.GET("/shipments/:id", a.HandleShipmentView)
	v1.POST("/shipments/:id/dispatch", a.HandleShipmentDispatch)
	v1.POST("/shipments/:id/delivered", a.HandleShipmentDelivered)
	v1.POST("/shipments/:id/receive", a.HandleShipmentReceive)
	v1.POST("/shipments/:id/cancel", a.HandleShipmentCancel)
	v1.GET("/trace/shipments/:id", a.HandleShipmentTrace)
	v1.GET("/recalls", a.HandleRecallList)
	v1.POST("/recalls", a.HandleRecallCreate)
	v1.GET("/recalls/:id", a.HandleRecallView)
	v1.POST("/recalls/:id/batches/:batch/release", a.HandleRecallRelease)
	v1.GET("/spools", a.HandleSpoolList)
	v1.POST("/spools", a.HandleSpoolCreate)
	v1.PATCH("/spools/:id", a.HandleSpoolUpdate)
	v1.GET("/spools/:id/events", a.HandleSpoolEvents)
	v1.GET("/filament/forecast", a.HandleFilamentForecast)
	v1.GET("/reports/deliveries", a.HandleDeliveryReport)
	v1.GET("/reports/rejections", a.HandleRejectionReport)
	v1.GET("/exports/:name", a.HandleExport)
}

// notificationRoutes: in-app notifications, webhooks and the mail log.
func (s *Server) notificationRoutes(v1 *gin.RouterGroup, a *api.Handler) {
	v1.GET("/notifications", a.HandleNotificationList)
	v1.POST("/notifications/read", a.HandleNotificationReadAll)
	v1.POST("/notifications/:id/read", a.HandleNotificationRead)
	v1.GET("/organisations/:id/webhooks", a.HandleWebhookList)
	v1.POST("/organisations/:id/webhooks", a.HandleWebhookCreate)
	v1.GET("/webhooks/:id", a.HandleWebhookView)
	v1.PATCH("/webhooks/:id", a.HandleWebhookUpdate)
	v1.DELETE("/webhooks/:id", a.HandleWebhookDelete)
	v1.GET("/webhooks/:id/deliveries", a.HandleWebhookDeliveries)
	v1.POST("/webhook-deliveries/:id/retry", a.HandleDeliveryRetry)
	v1.GET("/mail", a.HandleMailList)
}
