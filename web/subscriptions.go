package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
)

// previewDays is how far back "test" looks unless Options.PreviewDays says.
const previewDays = 7

// previewWindow is how many days "test" looks back on this server.
func (s *Server) previewWindow() int {
	if s.opts.PreviewDays > 0 {
		return s.opts.PreviewDays
	}
	return previewDays
}

func (s *Server) subscriptionRoutes(m *http.ServeMux) {
	h, a := s.html, s.api
	m.Handle("GET /subscriptions", h(s.handleSubscriptions))
	m.Handle("POST /subscriptions", h(s.handleSubscriptionPost))
	m.Handle("POST /subscriptions/{id}/delete", h(s.handleSubscriptionDelete))
	// A subscription's feed: public at its unguessable capability URL (feed
	// readers cannot send a token), by id only with the token.
	m.Handle("GET /atom/{token}", a(s.serveAtomCapability))
	m.Handle("GET /subscriptions/{id}/atom", a(s.serveAtom))

	m.Handle("GET /api/subscriptions", a(s.apiSubscriptions))
	m.Handle("POST /api/subscriptions", a(s.apiSubscriptionAdd))
	m.Handle("POST /api/subscriptions/test", a(s.apiSubscriptionTest))
	m.Handle("GET /api/subscriptions/{id}", a(s.apiSubscription))
	m.Handle("DELETE /api/subscriptions/{id}", a(s.apiSubscriptionDelete))
	m.Handle("GET /api/subscriptions/{id}/atom", a(s.serveAtom))
}

func (s *Server) alerts() (*alert.Service, error) {
	if s.opts.Alerts == nil {
		return nil, errUnavailable
	}
	return s.opts.Alerts, nil
}

// subscriptionForm is what the create form holds, kept to refill it.
type subscriptionForm struct {
	Name, Query, Level, Channel, Webhook, Email, Digest string
	Sources                                             []string
	Types                                               []string
	Official                                            bool
}

type subscriptionsPage struct {
	// Subs is filled only for a signed-in editor: it shows webhook URLs,
	// e-mail addresses and feed capabilities.
	Subs         []model.Subscription
	ShowSubs     bool
	Form         subscriptionForm
	Error        string
	Preview      []alert.Item
	Previewed    bool
	Created      *model.Subscription
	Sources      []model.Source
	SourceTitles map[string]string
	Types        []model.EventType
	Days         int
}

func (*subscriptionsPage) pageTitle() (string, string) { return "Subscriptions", "subscriptions" }

func (s *Server) newSubscriptionsPage(r *http.Request) (*subscriptionsPage, error) {
	svc, err := s.alerts()
	if err != nil {
		return nil, err
	}
	var subs []model.Subscription
	show := s.signedIn(r)
	if show {
		if subs, err = svc.List(r.Context()); err != nil {
			return nil, err
		}
	}
	return &subscriptionsPage{Subs: subs, ShowSubs: show, Sources: s.opts.Config.Sources, SourceTitles: s.sourceTitles(), Types: model.EventTypes, Days: s.previewWindow(),
		Form: subscriptionForm{Level: "article", Channel: "atom"}}, nil
}

func (s *Server) handleSubscriptions(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newSubscriptionsPage(r)
	if err != nil {
		return err
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("created"), 10, 64); err == nil {
		for i := range p.Subs {
			if p.Subs[i].ID == id {
				p.Created = &p.Subs[i]
			}
		}
	}
	s.render(w, r, http.StatusOK, "subscriptions", p)
	return nil
}

// formSubscription builds a subscription from the posted form.
func (s *Server) formSubscription(r *http.Request) (model.Subscription, subscriptionForm) {
	f := subscriptionForm{
		Name:     strings.TrimSpace(r.PostForm.Get("name")),
		Query:    strings.TrimSpace(r.PostForm.Get("query")),
		Level:    r.PostForm.Get("level"),
		Channel:  r.PostForm.Get("channel"),
		Webhook:  strings.TrimSpace(r.PostForm.Get("webhook")),
		Email:    strings.TrimSpace(r.PostForm.Get("email")),
		Digest:   r.PostForm.Get("digest"),
		Sources:  nonEmpty(r.PostForm["source"]),
		Types:    nonEmpty(r.PostForm["type"]),
		Official: r.PostForm.Get("official") == "true",
	}
	sub := model.Subscription{Name: f.Name, Query: f.Query, Level: model.SubscriptionLevel(f.Level),
		Sources: f.Sources, Official: f.Official, Digest: f.Digest}
	for _, t := range f.Types {
		sub.Types = append(sub.Types, model.EventType(t))
	}
	switch f.Channel {
	case "webhook":
		sub.Webhook = f.Webhook
	case "email":
		sub.Email = f.Email
	default:
		sub.Atom = true
	}
	return sub, f
}

// handleSubscriptionPost either previews (action=test: read-only, needs only
// the CSRF token) or creates (needs an editor session) a subscription.
func (s *Server) handleSubscriptionPost(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkForm(r); err != nil {
		return err
	}
	p, err := s.newSubscriptionsPage(r)
	if err != nil {
		return err
	}
	svc := s.opts.Alerts
	sub, form := s.formSubscription(r)
	p.Form = form
	status := http.StatusOK
	if r.PostForm.Get("action") == "test" {
		p.Previewed = true
		err := checkSubscription(r.Context(), svc, &sub, false)
		if err == nil {
			p.Preview, err = svc.Test(r.Context(), sub, p.Days)
		}
		if err != nil {
			if status, _ = statusOf(err); status >= 500 {
				return err
			}
			p.Error = err.Error()
		}
		s.render(w, r, status, "subscriptions", p)
		return nil
	}
	if err := s.authorizeForm(r); err != nil {
		return err
	}
	if err := checkSubscription(r.Context(), svc, &sub, true); err != nil {
		if status, _ = statusOf(err); status >= 500 {
			return err
		}
		p.Error = err.Error()
		s.render(w, r, status, "subscriptions", p)
		return nil
	}
	created, err := svc.Add(r.Context(), sub, alert.AddOptions{})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/subscriptions?created="+strconv.FormatInt(created.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) handleSubscriptionDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := s.authorizedFormID(r)
	if err != nil {
		return err
	}
	if err := s.removeSubscription(r, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/subscriptions", http.StatusSeeOther)
	return nil
}

// removeSubscription deletes subscription id, for the form and the API.
func (s *Server) removeSubscription(r *http.Request, id int64) error {
	svc, err := s.alerts()
	if err != nil {
		return err
	}
	return svc.Remove(r.Context(), id)
}

// checkSubscription validates sub before it is tested or stored, so what
// the user got wrong is a 400 with alert's message and anything failing
// later is the server's problem. Testing needs no channel.
func checkSubscription(ctx context.Context, svc *alert.Service, sub *model.Subscription, withChannel bool) error {
	if strings.TrimSpace(sub.Query) == "" {
		return badRequestf("missing query: give a search query")
	}
	if _, err := index.Parse(sub.Query); err != nil {
		return err
	}
	if !withChannel {
		return nil
	}
	if err := svc.Validate(ctx, sub); err != nil {
		if isQueryError(err) {
			return err
		}
		return badRequestf(err.Error())
	}
	return nil
}

// serveAtom serves a subscription's Atom feed by id, to whoever has the
// token.
func (s *Server) serveAtom(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeRead(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.writeAtom(w, r, id)
}

// serveAtomCapability serves a subscription's feed at /atom/{token}: the
// token is the capability, so the URL can be handed to a feed reader.
func (s *Server) serveAtomCapability(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.st.SubscriptionByAtomToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return s.writeAtom(w, r, sub.ID)
}

// atomURL is the public URL path of sub's feed.
func atomURL(sub model.Subscription) string { return "/atom/" + sub.AtomToken }

func (s *Server) writeAtom(w http.ResponseWriter, r *http.Request, id int64) error {
	var buf bytes.Buffer
	if err := alert.WriteAtom(r.Context(), s.st, id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, err := w.Write(buf.Bytes())
	return err
}

// apiSubscriptionIn is the JSON body that creates or tests a subscription.
type apiSubscriptionIn struct {
	Name      string   `json:"name"`
	Query     string   `json:"query"`
	Level     string   `json:"level"`
	Sources   []string `json:"sources"`
	Tags      []string `json:"tags"`
	Official  bool     `json:"official"`
	Languages []string `json:"languages"`
	Types     []string `json:"types"`
	Webhook   string   `json:"webhook"`
	Email     string   `json:"email"`
	Atom      bool     `json:"atom"` // the Atom channel: the feed at atom_url
	// AtomFile is refused: no value a client sends names a file.
	AtomFile *string `json:"atom_file"`
	Digest   string  `json:"digest"`
	TimeZone string  `json:"time_zone"`
	// Backfill, e.g. "168h", also matches documents published that long ago.
	Backfill string `json:"backfill"`
	Days     int    `json:"days"` // test only: how far back to look (default 7)
}

func (in apiSubscriptionIn) subscription() (model.Subscription, error) {
	if in.AtomFile != nil {
		return model.Subscription{}, badRequestf(`atom_file is not accepted: a subscription never names a file. Send "atom": true; the feed is then written under the data directory and served at the atom_url in the answer`)
	}
	sub := model.Subscription{Name: in.Name, Query: in.Query, Level: model.SubscriptionLevel(in.Level),
		Sources: in.Sources, Tags: in.Tags, Official: in.Official, Languages: in.Languages,
		Webhook: in.Webhook, Email: in.Email, Atom: in.Atom, Digest: in.Digest, TimeZone: in.TimeZone}
	for _, t := range in.Types {
		sub.Types = append(sub.Types, model.EventType(t))
	}
	return sub, nil
}

// apiSubscriptionOut is a subscription as the API shows it: with the public
// URL of its feed, never its webhook secret.
type apiSubscriptionOut struct {
	model.Subscription
	AtomURL string `json:"atom_url"`
}

func (s *Server) apiSubscriptions(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeRead(r); err != nil {
		return err
	}
	svc, err := s.alerts()
	if err != nil {
		return err
	}
	subs, err := svc.List(r.Context())
	if err != nil {
		return err
	}
	out := []apiSubscriptionOut{}
	for _, sub := range subs {
		out = append(out, apiSubscriptionOut{sub, atomURL(sub)})
	}
	return writeJSON(w, map[string]any{"subscriptions": out})
}

func (s *Server) apiSubscription(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeRead(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	svc, err := s.alerts()
	if err != nil {
		return err
	}
	sub, err := svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, apiSubscriptionOut{sub, atomURL(sub)})
}

func (s *Server) apiSubscriptionAdd(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeAPI(r); err != nil {
		return err
	}
	svc, err := s.alerts()
	if err != nil {
		return err
	}
	var in apiSubscriptionIn
	if err := readJSON(r, &in); err != nil {
		return err
	}
	var opts alert.AddOptions
	if in.Backfill != "" {
		d, err := time.ParseDuration(in.Backfill)
		if err != nil || d < 0 {
			return badRequestf("backfill must be a duration like 168h")
		}
		opts.Backfill = d
	}
	sub, err := in.subscription()
	if err != nil {
		return err
	}
	if err := checkSubscription(r.Context(), svc, &sub, true); err != nil {
		return err
	}
	sub, err = svc.Add(r.Context(), sub, opts)
	if err != nil {
		return err
	}
	// The webhook secret is shown once, on creation.
	return writeJSONStatus(w, http.StatusCreated, struct {
		apiSubscriptionOut
		Secret string `json:"secret"`
	}{apiSubscriptionOut{sub, atomURL(sub)}, sub.Secret})
}

// apiSubscriptionTest previews a subscription over the last days (7 or the
// server's preview window by default, at most 90 or that window) without
// storing it. It writes nothing, so it needs no token.
func (s *Server) apiSubscriptionTest(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.alerts()
	if err != nil {
		return err
	}
	var in apiSubscriptionIn
	if err := readJSON(r, &in); err != nil {
		return err
	}
	days := in.Days
	if days == 0 {
		days = s.previewWindow()
	}
	if most := max(90, s.previewWindow()); days < 1 || days > most {
		return badRequestf("days must be between 1 and " + strconv.Itoa(most))
	}
	sub, err := in.subscription()
	if err != nil {
		return err
	}
	if err := checkSubscription(r.Context(), svc, &sub, false); err != nil {
		return err
	}
	items, err := svc.Test(r.Context(), sub, days)
	if err != nil {
		return err
	}
	if items == nil {
		items = []alert.Item{}
	}
	return writeJSON(w, map[string]any{"days": days, "matches": items})
}

func (s *Server) apiSubscriptionDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := s.authorizedAPIID(r)
	if err != nil {
		return err
	}
	if err := s.removeSubscription(r, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
