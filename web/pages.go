package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/watchline/watchline/model"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one template set per page, each the layout plus that page's
// "content", so pages cannot see each other's blocks.
type pages struct {
	byName map[string]*template.Template
}

func parsePages() (*pages, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		if path.Base(n) == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		p.byName[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return p, nil
}

// view is what every page template gets: the page's own data plus what the
// layout needs.
type view struct {
	Title    string
	Nav      string // which top-level section is active
	CSRF     string
	SignedIn bool
	Writable bool // a token is configured
	Path     string
	Data     any
}

// titled is implemented by page data that names its page.
type titled interface{ pageTitle() (title, nav string) }

// render executes page name with data into a buffer first, so a template
// error never leaves half a page behind.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.pages.byName[name]
	if !ok {
		http.Error(w, "no such page template: "+name, http.StatusInternalServerError)
		return
	}
	v := view{
		CSRF:     s.csrfToken(w, r),
		SignedIn: s.signedIn(r),
		Writable: s.opts.Token != "",
		Path:     r.URL.RequestURI(),
		Data:     data,
	}
	if td, ok := data.(titled); ok {
		v.Title, v.Nav = td.pageTitle()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "could not render the page; the error has been logged", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage is the data of the error page.
type errorPage struct {
	Status        int
	Code, Message string
}

func (e *errorPage) pageTitle() (string, string) { return http.StatusText(e.Status), "" }

var funcs = template.FuncMap{
	"date":      fmtDate,
	"datetime":  fmtDateTime,
	"published": fmtPublished,
	"publishedISO": func(t time.Time) string {
		if model.DayOnly(t) {
			return t.Format(time.DateOnly)
		}
		return t.Format(time.RFC3339)
	},
	"ago":  ago,
	"mark": markText,
	"pct":  func(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" },
	"add":  func(a, b int) int { return a + b },
	"list": func(xs ...int) []int { return xs },
	"join": strings.Join,
	"contains": func(xs []string, x string) bool {
		for _, v := range xs {
			if v == x {
				return true
			}
		}
		return false
	},
	"host": func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			return raw
		}
		return u.Host
	},
	"precisionDate": precisionDate,
	"paras":         splitParas,
	"ms": func(d time.Duration) string {
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
	},
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "unknown date"
	}
	return t.UTC().Format("2 Jan 2006")
}

func fmtDateTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

// fmtPublished writes a publication time as exactly as it is known: a date
// known only to the day (model.DayOnly) without a made-up "00:00 UTC".
func fmtPublished(t time.Time) string {
	if model.DayOnly(t) {
		return t.Format("2 Jan 2006")
	}
	if model.Offset(t) != 0 {
		return t.Format("2 Jan 2006 15:04 -07:00") // the page's own day and time
	}
	return fmtDateTime(t)
}

// precisionDate writes a date only as exactly as it is known.
func precisionDate(t time.Time, precision string) string {
	if t.IsZero() {
		return "unknown date"
	}
	switch precision {
	case "year":
		return t.UTC().Format("2006")
	case "month":
		return t.UTC().Format("January 2006")
	}
	return t.UTC().Format("2 January 2006")
}

// ago says how long before now t was, roughly.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in " + roughDuration(-d)
	case d < time.Minute:
		return "just now"
	}
	return roughDuration(d) + " ago"
}

func roughDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " h"
	}
	return strconv.Itoa(int(d.Hours()/24)) + " days"
}

// markText escapes text and wraps the byte ranges in offsets in <mark>.
// Offsets that are out of range, overlapping, unsorted or not on character
// boundaries are skipped rather than trusted: the snippet must stay valid,
// escaped HTML whatever the index returns.
func markText(text string, offsets [][2]int) template.HTML {
	var b strings.Builder
	pos := 0
	for _, o := range offsets {
		start, end := o[0], o[1]
		if start < pos || end <= start || end > len(text) ||
			!utf8.RuneStart(text[start]) || (end < len(text) && !utf8.RuneStart(text[end])) {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[pos:start]))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(text[start:end]))
		b.WriteString("</mark>")
		pos = end
	}
	b.WriteString(template.HTMLEscapeString(text[pos:]))
	return template.HTML(b.String())
}

// serveStatic serves the embedded stylesheet and script; they change only
// with the binary, so clients may cache them for a day.
func serveStatic() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}
