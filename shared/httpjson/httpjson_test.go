package httpjson_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
)

func TestDecode(t *testing.T) {
	type body struct {
		Status string `json:"status"`
		Count  int    `json:"count"`
	}
	tests := []struct {
		in       string
		wantKind errs.Kind
		wantMsg  string
	}{
		{`{"status":"open","count":2}`, "", ""},
		{`{"status":2}`, errs.Invalid, `JSON field "status" must be a string, not a number`},
		{`{"status":"open","extra":1}`, errs.Invalid, `unknown field "extra"`},
		{`{"status":`, errs.Invalid, "not valid JSON"},
		{`{"status":"a"} {}`, errs.Invalid, "data after the JSON value"},
		{strings.Repeat(" ", 100) + `{}`, errs.TooLarge, "over 64 bytes"},
	}
	for _, tc := range tests {
		r := http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(strings.NewReader(tc.in)), 64)
		var b body
		err := httpjson.Decode(r, &b)
		if errs.KindOf(err) != tc.wantKind || !strings.Contains(errs.Message(err), tc.wantMsg) {
			t.Errorf("Decode(%.30q) = %q (%s); want %s containing %q", tc.in, errs.Message(err), errs.KindOf(err), tc.wantKind, tc.wantMsg)
		}
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{errs.E(errs.Invalid, "x"), 400},
		{errs.E(errs.Unauthorized, "x"), 401},
		{errs.E(errs.Forbidden, "x"), 403},
		{errs.E(errs.NotFound, "x"), 404},
		{errs.E(errs.Conflict, "x"), 409},
		{errs.E(errs.TooLarge, "x"), 413},
		{errs.E(errs.Unprocessable, "x"), 422},
		{errs.E(errs.Transient, "x"), 503},
		{http.ErrBodyNotAllowed, 500},
	}
	for _, tc := range tests {
		if got := httpjson.Status(tc.err); got != tc.want {
			t.Errorf("Status(%v) = %d; want %d", tc.err, got, tc.want)
		}
	}
	if got := errs.Message(http.ErrBodyNotAllowed); got != "Internal error." {
		t.Errorf("Message(unclassified) = %q; want %q", got, "Internal error.")
	}
}
