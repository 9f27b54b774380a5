// Package httpjson is how Borderdesk's HTTP surfaces answer: JSON bodies, and errors mapped
// from the errs vocabulary to a status and a message safe to show. Causes go to the log.
package httpjson

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/borderdesk/borderdesk/shared/errs"
)

var statusOf = map[errs.Kind]int{
	errs.Invalid:       http.StatusBadRequest,
	errs.Unauthorized:  http.StatusUnauthorized,
	errs.Forbidden:     http.StatusForbidden,
	errs.NotFound:      http.StatusNotFound,
	errs.Conflict:      http.StatusConflict,
	errs.TooLarge:      http.StatusRequestEntityTooLarge,
	errs.Unprocessable: http.StatusUnprocessableEntity,
	errs.Transient:     http.StatusServiceUnavailable,
	errs.Internal:      http.StatusInternalServerError,
}

// Status is the HTTP status for err.
func Status(err error) int {
	if s, ok := statusOf[errs.KindOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Write answers status with v as JSON.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error is the body of every error answer.
type Error struct {
	Error string `json:"error"` // the kind, e.g. "unauthorized"
	// Message says what was wrong in words a caller can act on; never a cause's text for
	// internal errors.
	Message string `json:"message"`
}

// Fail answers err, logging its cause at a level that fits its kind.
func Fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error, attrs ...any) {
	kind := errs.KindOf(err)
	level := slog.LevelInfo
	if kind == errs.Internal || kind == errs.Transient {
		level = slog.LevelError
	}
	log.Log(r.Context(), level, "request failed", append(attrs, "kind", string(kind), "err", err.Error())...)
	Write(w, Status(err), Error{Error: string(kind), Message: errs.Message(err)})
}

// Decode reads one JSON value from body into v, refusing unknown fields and trailing data.
func Decode(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var (
			tooBig *http.MaxBytesError
			syntax *json.SyntaxError
			typ    *json.UnmarshalTypeError
		)
		switch {
		case errors.As(err, &tooBig):
			return errs.Wrap(errs.TooLarge, err, "body is over %d bytes", tooBig.Limit)
		case errors.As(err, &syntax):
			return errs.Wrap(errs.Invalid, err, "body is not valid JSON (at byte %d)", syntax.Offset)
		case errors.As(err, &typ):
			return errs.Wrap(errs.Invalid, err, "JSON field %q must be a %s, not a %s", typ.Field, jsonType(typ.Type.Kind()), typ.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return errs.Wrap(errs.Invalid, err, "JSON body has an unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return errs.Wrap(errs.Invalid, err, "body is not valid JSON")
	}
	if dec.More() {
		return errs.E(errs.Invalid, "body has data after the JSON value")
	}
	return nil
}

// jsonType names a Go kind as JSON calls it.
func jsonType(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "number"
}

// RequestID names the request in logs: API Gateway's request id behind API Gateway, else
// the X-Request-Id header the local runtime sets.
func RequestID(r *http.Request) string {
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && rc.RequestID != "" {
		return rc.RequestID
	}
	return r.Header.Get("X-Request-Id")
}
