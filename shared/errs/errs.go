// Package errs is Borderdesk's one error vocabulary. Adapters translate what they see
// (a failed DynamoDB condition, a 404 from a provider) into these kinds; HTTP surfaces map the
// kinds to status codes; everything else wraps with context and passes them on.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers and for HTTP status mapping.
type Kind string

// Kinds.
const (
	Invalid       Kind = "invalid"       // the input is wrong; retrying will not help (400)
	Unauthorized  Kind = "unauthorized"  // missing or bad credentials or signature (401)
	Forbidden     Kind = "forbidden"     // the caller is known but their role may not do this (403)
	NotFound      Kind = "not_found"     // no such thing, or not this caller's (404)
	Conflict      Kind = "conflict"      // a condition failed: duplicate, stale version (409)
	TooLarge      Kind = "too_large"     // the body is over its limit (413)
	Unprocessable Kind = "unprocessable" // well-formed, but its key was used for another request (422)
	Transient     Kind = "transient"     // a dependency failed; retrying may help (503)
	Internal      Kind = "internal"      // a bug or an unclassified failure (500)
)

// Error is an error with a Kind and a message safe to show the caller.
type Error struct {
	Kind    Kind
	Message string // safe for users
	Err     error  // the cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// E returns an Error of kind k with a user-safe message.
func E(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error of kind k whose cause is err.
func Wrap(k Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...), Err: err}
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// Message returns the user-safe message of err: the first *Error's message, or
// "Internal error." for anything unclassified.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Message
	}
	return "Internal error."
}
