package makerhub_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/makerhub/makerhub"
)

// A page in another language finds the message by its English format and
// formats it with the same arguments, so both must survive as given.
func TestErrorMessageFormat(t *testing.T) {
	e := makerhub.Errorf(makerhub.ECONFLICT, "Job %d is %s.", 7, "printed")
	if f, args := e.MessageFormat(); f != "Job %d is %s." || !reflect.DeepEqual(args, []any{7, "printed"}) {
		t.Errorf("Errorf: MessageFormat() = %q, %v", f, args)
	}
	if e.Message != "Job 7 is printed." {
		t.Errorf("Errorf: Message = %q", e.Message)
	}

	cause := errors.New("disk full")
	w := makerhub.WrapError(cause, makerhub.EUNAVAILABLE, "cannot %s: %v", "write x", cause)
	if f, args := w.MessageFormat(); f != "cannot %s: %v" || !reflect.DeepEqual(args, []any{"write x", cause}) {
		t.Errorf("WrapError: MessageFormat() = %q, %v", f, args)
	}
	if w.Message != "cannot write x: disk full" || !errors.Is(w, cause) {
		t.Errorf("WrapError: Message = %q, errors.Is(cause) = %v", w.Message, errors.Is(w, cause))
	}

	var found *makerhub.Error
	if !errors.As(fmt.Errorf("upload: %w", e), &found) || found != e {
		t.Fatal("errors.As does not find the *Error through a wrap")
	}

	lit := &makerhub.Error{Code: makerhub.EINVALID, Message: "As it is."}
	if f, args := lit.MessageFormat(); f != "" || args != nil {
		t.Errorf("struct literal: MessageFormat() = %q, %v, want \"\", nil", f, args)
	}
}
