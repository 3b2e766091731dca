package alert

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// mailbox is a real SMTP server on loopback that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []received
}

type received struct {
	from string
	to   []string
	data []byte
}

type mailSession struct {
	box *mailbox
	cur received
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: b}, nil }

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        { s.cur = received{} }
func (s *mailSession) Logout() error { return nil }

func startSMTP(t *testing.T) (*mailbox, config.SMTP) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	port := l.Addr().(*net.TCPAddr).Port
	return box, config.SMTP{Host: "127.0.0.1", Port: port, From: "Watchline <alerts@watchline.example>"}
}

func TestEmailDelivery(t *testing.T) {
	ctx := context.Background()
	box, cfg := startSMTP(t)
	st := openStore(t, t.TempDir())
	svc := newService(st, newClock(t0), Options{SMTP: cfg})
	sub, err := svc.Add(ctx, model.Subscription{Name: "China spy case", Query: "china spy", Email: "analyst@example.org"}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	putDoc(t, st, "https://a.example/1", "wire", "China spy case <b>dropped</b> & why", "Prosecutors dropped the china spy case.")
	putDoc(t, st, "https://b.example/1", "paper", "China spy row grows", "Ministers argue over the china spy case.")
	putDoc(t, st, "https://a.example/2", "wire", "China spy: what next", "What the china spy decision means.")
	if _, err := svc.Match(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.Deliver(ctx); n != 1 || err != nil {
		t.Fatalf("Deliver = %d, %v; want 1", n, err)
	}
	if len(box.msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(box.msgs))
	}
	got := box.msgs[0]
	if got.from != "alerts@watchline.example" || len(got.to) != 1 || got.to[0] != "analyst@example.org" {
		t.Errorf("envelope from %q to %v", got.from, got.to)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := svc.Deliveries(ctx, false)
	headers := []struct{ name, want string }{
		{"Subject", "3 new: China spy case"},
		{"To", "analyst@example.org"},
		{"Message-Id", "<" + d[0].IdempotencyKey + "@watchline.example>"},
		{"List-Unsubscribe", "<mailto:alerts@watchline.example?subject=unsubscribe%20" + strconv.FormatInt(sub.ID, 10) + ">"},
		{"Mime-Version", "1.0"},
	}
	for _, h := range headers {
		if v := msg.Header.Get(h.name); v != h.want {
			t.Errorf("header %s = %q, want %q", h.name, v, h.want)
		}
	}
	parts, order := mimeParts(t, msg)
	if strings.Join(order, ",") != "text/plain,text/html" {
		t.Fatalf("parts = %v, want text/plain then text/html", order)
	}
	text, html := parts["text/plain"], parts["text/html"]
	for _, want := range []string{"== From wire ==", "== From paper ==", "https://a.example/1", "matched: china, spy", "why: query: china spy"} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "From wire") > strings.Index(text, "From paper") {
		t.Errorf("digest groups not ordered by size (wire has 2):\n%s", text)
	}
	if strings.Contains(html, "<b>dropped</b>") || !strings.Contains(html, "&lt;b&gt;dropped&lt;/b&gt; &amp; why") {
		t.Errorf("HTML part does not escape the title:\n%s", html)
	}
	if !strings.Contains(html, `href="https://a.example/1"`) {
		t.Errorf("HTML part lacks the link:\n%s", html)
	}
}

// mimeParts decodes a multipart/alternative message's parts by content type.
func mimeParts(t *testing.T, msg *mail.Message) (map[string]string, []string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, %v; want multipart/alternative", mt, err)
	}
	parts := map[string]string{}
	var order []string
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		var body []byte
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body, err = io.ReadAll(quotedprintable.NewReader(p))
		} else {
			body, err = io.ReadAll(p)
		}
		if err != nil {
			t.Fatal(err)
		}
		parts[ct] = string(body)
		order = append(order, ct)
	}
	return parts, order
}

func TestEmailNeedsSMTP(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	svc := newService(st, newClock(t0), Options{})
	if _, err := svc.Add(ctx, model.Subscription{Query: "china", Email: "a@example.org"}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	putDoc(t, st, "https://a.example/1", "wire", "China", "china")
	svc.Match(ctx)
	svc.Deliver(ctx)
	ds, _ := svc.Deliveries(ctx, true)
	if len(ds) != 1 || !strings.Contains(ds[0].LastError, "smtp: section") {
		t.Errorf("failed deliveries = %+v; want one failed at once, saying to configure smtp:", ds)
	}
}

func TestSubjectAndHeadersAreSafe(t *testing.T) {
	p := Payload{IdempotencyKey: "wl-1-abc", Subscription: PayloadSubscription{ID: 1, Name: "spy\r\nBcc: victim@example.org"},
		Matches: []Item{{Title: "x"}}}
	msg, err := RenderEmail("a@watchline.example", "b@example.org", "mailto:a@watchline.example", p)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Bcc") != "" {
		t.Errorf("a subscription name injected a Bcc header")
	}
	if got := m.Header.Get("Subject"); got != "1 new: spy Bcc: victim@example.org" {
		t.Errorf("Subject = %q", got)
	}
}

func TestEmailGroupsByEvent(t *testing.T) {
	ctx := context.Background()
	box, cfg := startSMTP(t)
	st := openStore(t, t.TempDir())
	svc := newService(st, newClock(t0), Options{SMTP: cfg, UnsubscribeURL: "https://watchline.example/unsubscribe/"})
	sub, err := svc.Add(ctx, model.Subscription{Query: "china spy", Email: "analyst@example.org", Digest: "hourly"}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := putDoc(t, st, "https://a.example/1", "wire", "China spy case dropped", "The china spy case was dropped.")
	b := putDoc(t, st, "https://b.example/1", "paper", "Why the China spy case fell apart", "Analysis of the china spy case.")
	putDoc(t, st, "https://c.example/1", "paper", "China spy warning from MI5", "MI5 warns of china spy approaches.")
	err = st.ApplyEvents(ctx, store.EventChanges{
		Members: []store.EventMember{{DocumentID: a.ID, EventID: 5, Analysis: []byte("{}")}, {DocumentID: b.ID, EventID: 5, Analysis: []byte("{}")}},
		Events:  []model.Event{{ID: 5, Title: "Prosecutors drop the case", Type: model.TypeDiscontinued, DocumentIDs: []int64{a.ID, b.ID}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	svc.Match(ctx)
	svc.opts.Clock = func() time.Time { return sub.NextDigest }
	if n, err := svc.Deliver(ctx); n != 1 || err != nil {
		t.Fatalf("Deliver = %d, %v", n, err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(box.msgs[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := msg.Header.Get("List-Unsubscribe"), "<https://watchline.example/unsubscribe/"+strconv.FormatInt(sub.ID, 10)+">"; got != want {
		t.Errorf("List-Unsubscribe = %q, want %q", got, want)
	}
	parts, _ := mimeParts(t, msg)
	text := parts["text/plain"]
	i, j := strings.Index(text, "== Prosecutors drop the case =="), strings.Index(text, "== From paper ==")
	if i < 0 || j < 0 || i > j {
		t.Errorf("digest not grouped by event first, then by source:\n%s", text)
	}
}
