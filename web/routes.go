package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/web/httpx"
	"github.com/makerhub/makerhub/web/ui"
)

// routes registers every route of the hub, the pages' (web/ui, p) and the
// API's (web/api, a): this file is the map of the hub. openapi.json (served
// at /api/v1/openapi.json) describes each API route; a test keeps the two in
// step.
func (s *Server) routes() {
	e := s.engine
	a, p := s.api, s.ui
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
	pages.GET("/", p.HandleHome)
	pages.GET("/lang/:code", p.HandleLang)
	pages.GET("/login", p.HandleLoginPage)
	pages.POST("/login", p.HandleLoginForm)
	pages.POST("/logout", p.HandleLogoutForm)
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

	pages.GET("/dashboard", p.HandleDashboard)
	pages.GET("/dashboard/places", p.HandlePlacesPage)
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

	api := e.Group("/api/v1", x.Authenticate)
	api.GET("/openapi.json", s.handleOpenAPI)

	api.POST("/auth/signup", a.HandleSignup)
	api.POST("/auth/login", a.HandleLogin)
	api.POST("/auth/logout", a.HandleLogout)
	api.GET("/me", a.HandleMe)

	api.GET("/tokens", a.HandleTokenList)
	api.POST("/tokens", a.HandleTokenCreate)
	api.DELETE("/tokens/:id", a.HandleTokenRevoke)

	api.GET("/organisations", a.HandleOrganisationList)
	api.GET("/organisations/:id", a.HandleOrganisationView)
	api.POST("/organisations/:id/verify", a.HandleOrganisationVerify)

	api.GET("/licences", a.HandleLicences)
	api.GET("/materials", a.HandleMaterials)
	api.GET("/beds", a.HandleBeds)

	api.GET("/designs", a.HandleDesignList)
	api.POST("/designs", a.HandleDesignCreate)
	api.GET("/designs/:id", a.HandleDesignView)
	api.PATCH("/designs/:id", a.HandleDesignUpdate)
	api.GET("/designs/:id/versions", a.HandleVersionList)
	api.POST("/designs/:id/versions", a.HandleVersionCreate)
	api.GET("/designs/:id/versions/:n", a.HandleVersionView)
	api.POST("/designs/:id/versions/:n/publish", a.HandleVersionPublish)
	api.POST("/designs/:id/versions/:n/review", a.HandleVersionReview)
	api.POST("/designs/:id/versions/:n/lifecycle", a.HandleVersionLifecycle)
	api.GET("/designs/:id/versions/:n/okh", a.HandleVersionOKH)
	api.POST("/designs/:id/versions/:n/files", a.HandleFileUpload)
	api.DELETE("/designs/:id/versions/:n/files/:sha256", a.HandleFileRemove)

	api.GET("/files/:sha256", a.HandleFileDownload)
	api.HEAD("/files/:sha256", a.HandleFileDownload)
	api.GET("/files/:sha256/thumbnail.png", a.HandleThumbnail)
	api.HEAD("/files/:sha256/thumbnail.png", a.HandleThumbnail)

	api.GET("/printers", a.HandlePrinterList)
	api.POST("/printers", a.HandlePrinterCreate)
	api.GET("/printers/:id", a.HandlePrinterView)
	api.PATCH("/printers/:id", a.HandlePrinterUpdate)
	api.DELETE("/printers/:id", a.HandlePrinterDelete)
	api.GET("/designs/:id/versions/:n/printers", a.HandleVersionPrinters)

	api.GET("/requests", a.HandleRequestList)
	api.POST("/requests", a.HandleRequestCreate)
	api.GET("/requests/:id", a.HandleRequestView)
	api.GET("/requests/:id/events", a.HandleRequestEvents)
	api.POST("/requests/:id/lower", a.HandleRequestLower)
	api.POST("/requests/:id/cancel", a.HandleRequestCancel)
	api.POST("/requests/:id/reconfirm", a.HandleRequestReconfirm)

	api.POST("/routing/runs", a.HandleRoutingRun)
	api.GET("/routing/runs", a.HandleRoutingRunList)
	api.GET("/routing/runs/:id", a.HandleRoutingRunView)

	api.GET("/jobs", a.HandleJobList)
	api.POST("/jobs", a.HandleJobCreate)
	api.GET("/jobs/:id", a.HandleJobView)
	api.GET("/jobs/:id/events", a.HandleJobEvents)
	api.POST("/jobs/:id/claim", a.HandleJobClaim)
	api.POST("/jobs/:id/progress", a.HandleJobProgress)
	api.POST("/jobs/:id/complete", a.HandleJobComplete)
	api.POST("/jobs/:id/release", a.HandleJobRelease)
	api.POST("/jobs/:id/fail", a.HandleJobFail)
	api.POST("/jobs/:id/cancel", a.HandleJobCancel)
	api.POST("/jobs/:id/produce", a.HandleJobProduce)

	api.GET("/locations", a.HandleLocationList)
	api.GET("/locations/:id", a.HandleLocationView)
	api.POST("/hubs", a.HandleHubCreate)
	api.PUT("/quality-rules/:category", a.HandleQualityRule)
	api.GET("/batches/:id", a.HandleBatchView)
	api.GET("/batches/:id/movements", a.HandleBatchMovements)
	api.GET("/stock", a.HandleStockList)
	api.POST("/stock/movements", a.HandleMovementCreate)
	api.GET("/trace/batches/:id", a.HandleBatchTrace)
	api.GET("/shipments", a.HandleShipmentList)
	api.POST("/shipments", a.HandleShipmentCreate)
	api.GET("/shipments/:id", a.HandleShipmentView)
	api.POST("/shipments/:id/dispatch", a.HandleShipmentDispatch)
	api.POST("/shipments/:id/delivered", a.HandleShipmentDelivered)
	api.POST("/shipments/:id/receive", a.HandleShipmentReceive)
	api.POST("/shipments/:id/cancel", a.HandleShipmentCancel)
	api.GET("/trace/shipments/:id", a.HandleShipmentTrace)
	api.GET("/recalls", a.HandleRecallList)
	api.POST("/recalls", a.HandleRecallCreate)
	api.GET("/recalls/:id", a.HandleRecallView)
	api.POST("/recalls/:id/batches/:batch/release", a.HandleRecallRelease)
	api.GET("/spools", a.HandleSpoolList)
	api.POST("/spools", a.HandleSpoolCreate)
	api.PATCH("/spools/:id", a.HandleSpoolUpdate)
	api.GET("/spools/:id/events", a.HandleSpoolEvents)
	api.GET("/filament/forecast", a.HandleFilamentForecast)
	api.GET("/reports/deliveries", a.HandleDeliveryReport)
	api.GET("/reports/rejections", a.HandleRejectionReport)
	api.GET("/exports/:name", a.HandleExport)

	api.GET("/notifications", a.HandleNotificationList)
	api.POST("/notifications/read", a.HandleNotificationReadAll)
	api.POST("/notifications/:id/read", a.HandleNotificationRead)
	api.GET("/organisations/:id/webhooks", a.HandleWebhookList)
	api.POST("/organisations/:id/webhooks", a.HandleWebhookCreate)
	api.GET("/webhooks/:id", a.HandleWebhookView)
	api.PATCH("/webhooks/:id", a.HandleWebhookUpdate)
	api.DELETE("/webhooks/:id", a.HandleWebhookDelete)
	api.GET("/webhooks/:id/deliveries", a.HandleWebhookDeliveries)
	api.POST("/webhook-deliveries/:id/retry", a.HandleDeliveryRetry)
}
