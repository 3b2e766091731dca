package alert

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
)

// sendEmail renders d's payload as a multipart/alternative message and sends
// it over SMTP.
func (s *Service) sendEmail(ctx context.Context, sub model.Subscription, d model.Delivery) error {
	cfg := s.opts.SMTP
	if cfg.Host == "" || cfg.From == "" {
		return permanentError{errors.New("e-mail alerts need an smtp: section with host and from in feeds.yaml")}
	}
	var p Payload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return permanentError{fmt.Errorf("e-mail: read payload: %w", err)}
	}
	msg, err := RenderEmail(cfg.From, sub.Email, s.unsubscribe(sub), p)
	if err != nil {
		return permanentError{err}
	}
	return s.smtpSend(ctx, sub.Email, msg)
}

func (s *Service) unsubscribe(sub model.Subscription) string {
	if s.opts.UnsubscribeURL != "" {
		return strings.TrimSuffix(s.opts.UnsubscribeURL, "/") + "/" + strconv.FormatInt(sub.ID, 10)
	}
	from := s.opts.SMTP.From
	if a, err := mail.ParseAddress(from); err == nil {
		from = a.Address
	}
	return "mailto:" + from + "?subject=" + url.PathEscape(fmt.Sprintf("unsubscribe %d", sub.ID))
}

func (s *Service) smtpSend(ctx context.Context, to string, msg []byte) error {
	cfg := s.opts.SMTP
	port := cfg.Port
	if port == 0 {
		port = 587
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(port))
	dialer := net.Dialer{Timeout: 30 * time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", addr, err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", addr, smtpErr(err))
	}
	defer c.Close()
	if cfg.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return permanentError{fmt.Errorf("smtp %s does not offer STARTTLS; use its TLS port or set smtp.starttls: false for a local relay", addr)}
		}
		if err := c.StartTLS(&tls.Config{ServerName: cfg.Host}); err != nil {
			return fmt.Errorf("smtp %s: starttls: %w", addr, err)
		}
	}
	if cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, s.opts.Password, cfg.Host)); err != nil {
			return fmt.Errorf("smtp %s: auth as %s: %w (check WATCHLINE_SMTP_PASSWORD)", addr, cfg.Username, smtpErr(err))
		}
	}
	from := cfg.From
	if a, err := mail.ParseAddress(from); err == nil {
		from = a.Address
	}
	rcpt := to
	if a, err := mail.ParseAddress(to); err == nil {
		rcpt = a.Address
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("smtp %s: MAIL FROM: %w", addr, smtpErr(err))
	}
	if err := c.Rcpt(rcpt); err != nil {
		return fmt.Errorf("smtp %s: RCPT TO %s: %w", addr, rcpt, smtpErr(err))
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", addr, smtpErr(err))
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", addr, smtpErr(err))
	}
	c.Quit()
	return nil
}

// smtpErr makes a 5xx reply permanent: the server will refuse it again.
func smtpErr(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return permanentError{err}
	}
	return err
}

// Subject is an e-mail's subject line: how many new and for what, like
// "3 new: China spy case".
func Subject(p Payload) string {
	what := p.Subscription.Name
	if what == "" {
		what = p.Subscription.Query
	}
	what = strings.Join(strings.Fields(what), " ")
	if r := []rune(what); len(r) > 70 {
		what = string(r[:69]) + "…"
	}
	return fmt.Sprintf("%d new: %s", len(p.Matches), what)
}

// group is the matches about one event (or, without event information, from
// one source), for digests.
type group struct {
	Title string
	Items []Item
}

func groups(items []Item) []group {
	var gs []group
	at := map[string]int{}
	for _, it := range items {
		key, title := "s:"+it.Source, "From "+it.Source
		if it.EventID != 0 {
			key, title = fmt.Sprintf("e:%d", it.EventID), it.EventTitle
			if title == "" {
				title = fmt.Sprintf("Event %d", it.EventID)
			}
		}
		i, ok := at[key]
		if !ok {
			i = len(gs)
			at[key] = i
			gs = append(gs, group{Title: title})
		}
		gs[i].Items = append(gs[i].Items, it)
	}
	sort.SliceStable(gs, func(i, j int) bool { return len(gs[i].Items) > len(gs[j].Items) })
	return gs
}

var htmlBody = template.Must(template.New("email").Funcs(template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "date unknown"
		}
		return t.UTC().Format("2 Jan 2006 15:04 MST")
	},
	"join": func(xs []string) string { return strings.Join(xs, ", ") },
}).Parse(`<!DOCTYPE html>
<html><body style="font-family: sans-serif">
<p>{{len .P.Matches}} new {{if .P.Digest}}in this digest {{end}}for <b>{{.Name}}</b> <small>(query: <code>{{.P.Subscription.Query}}</code>)</small></p>
{{range .Groups}}<h3>{{.Title}}</h3>
<ul>{{range .Items}}
<li><a href="{{.URL}}">{{.Title}}</a>{{if .Official}} <b>[official]</b>{{end}}<br>
<small>{{.Source}} · {{date .Published}}{{if .Terms}} · matched: {{join .Terms}}{{end}}{{if .Similar}} · +{{.Similar}} similar{{end}}</small>
{{if .Snippet}}<br><i>{{.Snippet}}</i>{{end}}
<br><small>why: {{.Rule}}</small></li>{{end}}
</ul>{{end}}
<p><small>Sent by watchline for subscription {{.P.Subscription.ID}}. <a href="{{.Unsub}}">Unsubscribe</a>.</small></p>
</body></html>
`))

// RenderEmail renders p as an RFC 5322 multipart/alternative message (plain
// text and HTML) from from to to. The Message-ID is derived from the
// idempotency key, so a re-sent alert is recognisably the same message.
func RenderEmail(from, to, unsubscribe string, p Payload) ([]byte, error) {
	name := p.Subscription.Name
	if name == "" {
		name = p.Subscription.Query
	}
	gs := groups(p.Matches)

	var text strings.Builder
	fmt.Fprintf(&text, "%d new for %q (query: %s)\n", len(p.Matches), name, p.Subscription.Query)
	for _, g := range gs {
		fmt.Fprintf(&text, "\n== %s ==\n", g.Title)
		for _, it := range g.Items {
			fmt.Fprintf(&text, "\n* %s\n  %s\n  %s", it.Title, it.URL, it.Source)
			if !it.Published.IsZero() {
				fmt.Fprintf(&text, ", %s", it.Published.UTC().Format("2 Jan 2006 15:04 MST"))
			}
			if it.Official {
				text.WriteString(", official")
			}
			if len(it.Terms) > 0 {
				fmt.Fprintf(&text, "; matched: %s", strings.Join(it.Terms, ", "))
			}
			if it.Similar > 0 {
				fmt.Fprintf(&text, "; +%d similar", it.Similar)
			}
			text.WriteString("\n")
			if it.Snippet != "" {
				fmt.Fprintf(&text, "  \"%s\"\n", it.Snippet)
			}
			fmt.Fprintf(&text, "  why: %s\n", it.Rule)
		}
	}
	fmt.Fprintf(&text, "\nSent by watchline for subscription %d. Unsubscribe: %s\n", p.Subscription.ID, unsubscribe)

	var html bytes.Buffer
	if err := htmlBody.Execute(&html, map[string]any{"P": p, "Name": name, "Groups": gs, "Unsub": unsubscribe}); err != nil {
		return nil, fmt.Errorf("render e-mail: %w", err)
	}

	domain := "watchline.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok {
			domain = d
		}
	}
	var msg bytes.Buffer
	mw := multipart.NewWriter(&msg)
	var head bytes.Buffer
	// No value may carry a line break: that would let a name or query add headers.
	flat := strings.NewReplacer("\r", " ", "\n", " ")
	hdr := func(k, v string) { fmt.Fprintf(&head, "%s: %s\r\n", k, flat.Replace(v)) }
	hdr("From", from)
	hdr("To", to)
	hdr("Subject", mime.QEncoding.Encode("utf-8", Subject(p)))
	hdr("Date", p.Created.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+p.IdempotencyKey+"@"+domain+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "multipart/alternative; boundary=\""+mw.Boundary()+"\"")
	hdr("List-Unsubscribe", "<"+unsubscribe+">")
	hdr("Auto-Submitted", "auto-generated")
	hdr("X-Watchline-Subscription", strconv.FormatInt(p.Subscription.ID, 10))
	hdr("X-Watchline-Idempotency-Key", p.IdempotencyKey)
	head.WriteString("\r\n")

	for _, part := range []struct{ ctype, body string }{
		{"text/plain; charset=utf-8", text.String()},
		{"text/html; charset=utf-8", html.String()},
	} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("render e-mail: %w", err)
		}
		qw := quotedprintable.NewWriter(pw)
		qw.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n")))
		qw.Close()
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("render e-mail: %w", err)
	}
	return append(head.Bytes(), msg.Bytes()...), nil
}
