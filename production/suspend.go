package production

import (
	"context"
	"fmt"

	"github.com/makerhub/makerhub"
	"github.com/makerhub/makerhub/internal/sqlite"
)

// releaseSuspended is accounts' suspension hook: the jobs a suspended maker
// holds (claimed or printing) and those offered to them go to the open
// pool, where other makers can take them, with an event saying why. What
// they printed and handed over stays: nothing they made is undone.
func (s *Service) releaseSuspended(ctx context.Context, userID int64) error {
	tx := s.q(ctx)
	at := sqlite.FormatTime(s.now())
	jobs, err := s.queryJobs(ctx, tx, `SELECT `+jobColumns+jobFrom+`WHERE (j.state IN ('claimed', 'printing') AND j.claimed_by = ?)
		OR (j.state = 'offered' AND j.offered_to = ?) ORDER BY j.id`, userID, userID)
	if err != nil {
		return err
	}
	actor := int64(0)
	if u := makerhub.UserFromContext(ctx); u != nil {
		actor = u.ID // the coordinator
	}
	for _, j := range jobs {
		if err := toPool(ctx, tx, j.ID, at); err != nil {
			return err
		}
		note := fmt.Sprintf("maker %d was suspended: back to the open pool", userID)
		if err := addJobEvent(ctx, tx, j.ID, j.RequestID, actor, at, j.State, JobOpen, j.Quantity, note); err != nil {
			return err
		}
	}
	return nil
}
