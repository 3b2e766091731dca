package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
)

// Writes are guarded by one shared token (WATCHLINE_TOKEN):
//
//   - the API takes it as `Authorization: Bearer <token>` and nothing else, so
//     a browser can never be tricked into sending it (no cookies, no CSRF);
//   - the HTML UI signs an editor in by posting the token once to /login; the
//     server then sets an HttpOnly, SameSite=Strict cookie holding an HMAC of
//     the token (never the token itself). Every form post must also carry the
//     double-submit CSRF token and, when the browser sends one, a same-origin
//     Origin header.
const (
	sessionCookie = "watchline_session"
	csrfCookie    = "watchline_csrf"
	csrfField     = "csrf"
)

// authorizeAPI checks the bearer token of an API write.
func (s *Server) authorizeAPI(r *http.Request) error {
	if s.opts.Token == "" {
		return errWritesDisabled
	}
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !s.tokenMatches(strings.TrimSpace(tok)) {
		return errUnauthorized
	}
	return nil
}

// authorizeRead checks a read of something only editors may see (webhook
// URLs, e-mail addresses, feed capabilities): the bearer token, or a signed-in
// editor session for the HTML UI. Reads change nothing, so no CSRF check.
func (s *Server) authorizeRead(r *http.Request) error {
	if s.opts.Token == "" {
		return errNoToken
	}
	if s.signedIn(r) {
		return nil
	}
	return s.authorizeAPI(r)
}

func (s *Server) tokenMatches(tok string) bool {
	a := sha256.Sum256([]byte(tok))
	b := sha256.Sum256([]byte(s.opts.Token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// sessionValue is what the session cookie holds: an HMAC keyed by the token,
// so changing WATCHLINE_TOKEN signs everybody out.
func (s *Server) sessionValue() string {
	m := hmac.New(sha256.New, []byte(s.opts.Token))
	m.Write([]byte("watchline editor session v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// signedIn reports whether the request carries a valid editor session.
func (s *Server) signedIn(r *http.Request) bool {
	if s.opts.Token == "" {
		return false
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(c.Value), []byte(s.sessionValue()))
}

// csrfToken returns the request's CSRF token, setting the cookie when the
// browser does not have one yet.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	// The page rendered by this request must carry the same token.
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	return tok
}

// checkForm verifies a form post: same origin (when the browser says), and the
// form's CSRF field equal to the CSRF cookie. It parses the form.
func (s *Server) checkForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badRequestf("could not read the form: " + err.Error())
	}
	if origin := r.Header.Get("Origin"); origin != "" && origin != "null" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return errCSRF
		}
	} else if origin == "null" {
		return errCSRF
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" {
		return errCSRF
	}
	if subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get(csrfField))) != 1 {
		return errCSRF
	}
	return nil
}

// authorizeForm checks a form post that writes: CSRF first, then the session.
func (s *Server) authorizeForm(r *http.Request) error {
	if err := s.checkForm(r); err != nil {
		return err
	}
	if s.opts.Token == "" {
		return errWritesDisabled
	}
	if !s.signedIn(r) {
		return errUnauthorized
	}
	return nil
}

// handleLogin signs an editor in: the posted token, if right, becomes a
// session cookie.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkForm(r); err != nil {
		return err
	}
	if s.opts.Token == "" {
		return errWritesDisabled
	}
	if !s.tokenMatches(r.PostForm.Get("token")) {
		return errUnauthorized
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.sessionValue(), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 30 * 24 * 3600})
	http.Redirect(w, r, localRedirect(r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkForm(r); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// localRedirect keeps redirects on this site: anything that is not a plain
// absolute path becomes "/".
func localRedirect(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// authorizedFormID authorizes a form posted to a resource's page and returns
// the resource's {id}.
func (s *Server) authorizedFormID(r *http.Request) (int64, error) {
	if err := s.authorizeForm(r); err != nil {
		return 0, err
	}
	return pathID(r, "id")
}

// authorizedAPIID authorizes an API write to a resource and returns the
// resource's {id}.
func (s *Server) authorizedAPIID(r *http.Request) (int64, error) {
	if err := s.authorizeAPI(r); err != nil {
		return 0, err
	}
	return pathID(r, "id")
}
