package ui

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/web/i18n"
)

// formInt reads a whole number from a form field; def when it is empty.
func formInt(c *gin.Context, l *i18n.Lang, field string, def int) (int, error) {
	raw := strings.TrimSpace(c.PostForm(field))
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, makerhub.Errorf(makerhub.EINVALID, "%s", l.T("form.int.invalid", l.T("form."+field), raw))
	}
	return n, nil
}

func formFloat(c *gin.Context, l *i18n.Lang, field string) (*float64, error) {
	raw := strings.TrimSpace(c.PostForm(field))
	if raw == "" {
		return nil, nil
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
	if err != nil {
		return nil, makerhub.Errorf(makerhub.EINVALID, "%s", l.T("form.number.invalid", l.T("form."+field), raw))
	}
	return &x, nil
}
