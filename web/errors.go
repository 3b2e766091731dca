package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

// Errors handlers return when the request, not the server, is at fault. They
// carry a message for the user; statusOf maps them to a status code.
var (
	errUnauthorized   = errors.New("this needs the API token: send `Authorization: Bearer <token>` (or sign in at /login)")
	errWritesDisabled = errors.New("writes are disabled because no API token is configured: set WATCHLINE_TOKEN in the server's environment and restart it")
	errNoToken        = errors.New("this needs the API token, and none is configured: set WATCHLINE_TOKEN in the server's environment and restart it")
	errCSRF           = errors.New("the form's security token is missing or stale: reload the page and submit again")
	errNoIndex        = errors.New("the search index is not available in this process: run `watchline serve` or `watchline run` on the data directory")
	errUnavailable    = errors.New("subscriptions are not available: this server was started without the alert service (use `watchline serve` or `watchline run`)")
)

// badRequest is an error in what the client sent: a parameter, a form field
// or a JSON body. Its message says what to change.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badRequestf(msg string) error { return &badRequest{msg: msg} }

// statusOf is the one place that maps an error to an HTTP status and a
// stable machine-readable code. Every API and HTML handler goes through it.
func statusOf(err error) (status int, code string) {
	var bad *badRequest
	var tooBig *http.MaxBytesError
	var nf *notFound
	switch {
	case errors.Is(err, store.ErrNotFound), errors.As(err, &nf):
		return http.StatusNotFound, "not_found"
	case isQueryError(err):
		return http.StatusBadRequest, "bad_query"
	case errors.As(err, &bad), isEditError(err):
		return http.StatusBadRequest, "bad_request"
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized, "unauthorized"
	case errors.Is(err, errWritesDisabled):
		return http.StatusForbidden, "writes_disabled"
	case errors.Is(err, errNoToken):
		return http.StatusForbidden, "no_token"
	case errors.Is(err, errCSRF):
		return http.StatusForbidden, "csrf"
	case errors.Is(err, errNoIndex), errors.Is(err, errUnavailable), errors.Is(err, timeline.ErrNoMatcher):
		return http.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "timeout"
	case errors.Is(err, context.Canceled):
		return 499, "canceled" // the client went away; nobody reads this
	}
	return http.StatusInternalServerError, "internal"
}

// message is what the user sees for err: the error itself when the client
// caused it, a generic line when the server did (the details go to the log).
func message(status int, err error) string {
	if status >= 500 && status != http.StatusServiceUnavailable {
		return "something went wrong on the server; the error has been logged"
	}
	return err.Error()
}

// apiError is the JSON shape of every API error.
type apiError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

func (s *Server) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := statusOf(err)
	s.logError(r, status, err)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Del("Content-Disposition")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="watchline"`)
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(apiError{Error: message(status, err), Code: code})
}

func (s *Server) writeHTMLError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := statusOf(err)
	s.logError(r, status, err)
	w.Header().Del("Content-Disposition")
	s.render(w, r, status, "error", &errorPage{Status: status, Code: code, Message: message(status, err)})
}

func (s *Server) logError(r *http.Request, status int, err error) {
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
		return
	}
	s.log.Debug("request rejected", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
}
