package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub/production/notify"
	"github.com/makerhub/makerhub/web/httpx"
)

// HandleNotificationList lists the caller's notifications, newest first;
// ?unread=true for unread ones only.
func (s *Handler) HandleNotificationList(c *gin.Context) {
	var f notify.NotificationFilter
	var err error
	if f.Offset, f.Limit, err = page(c, 50, 500); err != nil {
		s.RenderError(c, err)
		return
	}
	unread, err := httpx.QueryBool(c, "unread")
	if err != nil {
		s.RenderError(c, err)
		return
	}
	f.UnreadOnly = unread != nil && *unread
	ns, total, err := s.notify.FindNotifications(c.Request.Context(), f)
	s.reply(c, http.StatusOK, list[*notify.Notification]{Items: ns, Total: total, Offset: f.Offset, Limit: f.Limit}, err)
}

func (s *Handler) HandleNotificationRead(c *gin.Context) {
	byID(s, c, "Notification", http.StatusNoContent, func(ctx context.Context, id int64) (any, error) {
		return nil, s.notify.MarkRead(ctx, id)
	})
}

func (s *Handler) HandleNotificationReadAll(c *gin.Context) {
	n, err := s.notify.MarkAllRead(c.Request.Context())
	s.reply(c, http.StatusOK, map[string]int{"marked": n}, err)
}

func (s *Handler) HandleWebhookList(c *gin.Context) {
	byID(s, c, "Organisation", http.StatusOK, func(ctx context.Context, id int64) (list[*notify.Webhook], error) {
		ws, err := s.notify.FindWebhooks(ctx, id)
		return list[*notify.Webhook]{Items: ws, Total: len(ws), Limit: len(ws)}, err
	})
}

// webhookInput creates a webhook.
type webhookInput struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// HandleWebhookCreate adds a webhook to an organisation; the answer shows
// its signing secret, once.
func (s *Handler) HandleWebhookCreate(c *gin.Context) {
	byIDWith(s, c, "Organisation", http.StatusCreated, false, func(ctx context.Context, id int64, in webhookInput) (*notify.CreatedWebhook, error) {
		return s.notify.CreateWebhook(ctx, id, in.URL, in.Events)
	})
}

func (s *Handler) HandleWebhookView(c *gin.Context) {
	byID(s, c, "Webhook", http.StatusOK, s.notify.FindWebhookByID)
}

func (s *Handler) HandleWebhookUpdate(c *gin.Context) {
	byIDWith(s, c, "Webhook", http.StatusOK, false, s.notify.UpdateWebhook)
}

func (s *Handler) HandleWebhookDelete(c *gin.Context) {
	byID(s, c, "Webhook", http.StatusNoContent, func(ctx context.Context, id int64) (any, error) {
		return nil, s.notify.DeleteWebhook(ctx, id)
	})
}

// HandleWebhookDeliveries is a webhook's delivery log, ?status=pending|delivered|failed.
func (s *Handler) HandleWebhookDeliveries(c *gin.Context) {
	f := notify.DeliveryFilter{Status: c.Query("status")}
	var err error
	if f.Offset, f.Limit, err = page(c, 50, 500); err != nil {
		s.RenderError(c, err)
		return
	}
	byID(s, c, "Webhook", http.StatusOK, func(ctx context.Context, id int64) (list[*notify.Delivery], error) {
		ds, total, err := s.notify.FindDeliveries(ctx, id, f)
		return list[*notify.Delivery]{Items: ds, Total: total, Offset: f.Offset, Limit: f.Limit}, err
	})
}

func (s *Handler) HandleDeliveryRetry(c *gin.Context) {
	byID(s, c, "Delivery", http.StatusOK, s.notify.RetryDelivery)
}

// HandleMailList lists the mail outbox, newest first (coordinators).
func (s *Handler) HandleMailList(c *gin.Context) {
	offset, limit, err := page(c, 50, 500)
	if err != nil {
		s.RenderError(c, err)
		return
	}
	ms, total, err := s.notify.FindMail(c.Request.Context(), offset, limit)
	s.reply(c, http.StatusOK, list[*notify.MailMessage]{Items: ms, Total: total, Offset: offset, Limit: limit}, err)
}
