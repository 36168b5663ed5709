package api

import (
	"errors"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// readPeriod returns a batch cell as YYYY-MM for checkFigure, or the cell
// unchanged and plan.ReadPeriod's problem with it.
func readPeriod(cell string) (string, *plan.Error) {
	p, err := plan.ReadPeriod(cell)
	if err != nil {
		var pe *plan.Error
		errors.As(err, &pe)
		return cell, pe
	}
	return p.String(), nil
}

// withPeriodError puts the batch's own period problem in place of
// checkFigure's, which knows only YYYY-MM. checkFigure reports no period
// problem when it stops at the target, and then neither does this.
func withPeriodError(errs []*plan.Error, pe *plan.Error) []*plan.Error {
	for i, e := range errs {
		if e.Field == "period" && e.Kind == plan.KindMalformed {
			errs[i] = pe
		}
	}
	return errs
}
