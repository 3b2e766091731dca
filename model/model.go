// Package model holds watchline's plain domain types: sources, documents and
// their versions, events, quotes, topics, subscriptions and deliveries. It has
// no behaviour beyond small helpers on the types themselves and imports only the
// standard library, so every other package can depend on it.
package model

import (
	"strings"
	"time"
)

// SourceKind says how a source lists its documents.
type SourceKind string

const (
	KindFeed    SourceKind = "feed"    // RSS, Atom or JSON Feed
	KindPage    SourceKind = "page"    // an HTML listing page; links picked by a selector
	KindSitemap SourceKind = "sitemap" // an XML sitemap, sitemap index or Google News sitemap
)

// Source is one place watchline watches, as configured in feeds.yaml.
type Source struct {
	ID            string        `json:"id"`
	Title         string        `json:"title"`
	Kind          SourceKind    `json:"kind"`
	URL           string        `json:"url"`
	Links         string        `json:"links,omitempty"` // goquery selector for article links (page kind)
	Official      bool          `json:"official"`        // a primary source: its own words, not reporting
	Tags          []string      `json:"tags,omitempty"`
	Language      string        `json:"language,omitempty"` // expected language, a hint for extraction
	Interval      time.Duration `json:"interval"`           // base polling interval
	Delay         time.Duration `json:"delay"`              // minimum gap between requests to one host
	UserAgent     string        `json:"user_agent,omitempty"`
	Contact       string        `json:"contact,omitempty"` // who runs the crawler (From header), from defaults.contact
	MaxBody       int64         `json:"max_body"`          // response body cap in bytes
	AllowPrivate  bool          `json:"allow_private"`     // may reach loopback/private addresses
	FetchArticles bool          `json:"fetch_articles"`
	VisitBudget   time.Duration `json:"visit_budget"` // how long one visit may take; items not reached wait for the next
}

// Topic is a named saved query that defines a story; its timeline is the events
// whose documents match the query.
type Topic struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Query string `json:"query"`
}

// Document is one fetched article or statement page. ID is stable for the life
// of the document; Seq changes every time the document changes (new version,
// deletion), so consumers that tail the store by seq see every change.
type Document struct {
	ID           int64    `json:"id"`
	Seq          int64    `json:"seq"`
	URL          string   `json:"url"`           // the URL it was first fetched from
	CanonicalURL string   `json:"canonical_url"` // the key: one document per canonical URL
	URLs         []string `json:"urls,omitempty"`
	SourceID     string   `json:"source"`
	Title        string   `json:"title"`
	Text         string   `json:"text"`
	Authors      []string `json:"authors,omitempty"`
	Language     string   `json:"language"`
	Tags         []string `json:"tags,omitempty"`
	Official     bool     `json:"official"`

	Published           time.Time `json:"published"`
	PublishedSource     string    `json:"published_source"` // json-ld, meta, time, url, text, feed, fetched, import
	PublishedConfidence float64   `json:"published_confidence"`
	Modified            time.Time `json:"modified,omitzero"`
	Fetched             time.Time `json:"fetched"`

	ContentHash string  `json:"content_hash"` // hash of the normalised text
	SimHash     uint64  `json:"simhash"`      // near-duplicate fingerprint of the text
	DuplicateOf int64   `json:"duplicate_of,omitempty"`
	Similarity  float64 `json:"similarity,omitempty"` // to DuplicateOf, 0..1
	Versions    int     `json:"versions"`
	Deleted     bool    `json:"deleted,omitempty"`
	// PageMissingSince is set when the text is the feed entry's own because
	// the article page could not be fetched or held no article: since the
	// first time that happened. The crawler retries the page for a while
	// (crawler.PageRetryFor); a version from the page clears it.
	PageMissingSince time.Time `json:"page_missing_since,omitzero"`
}

// DocumentVersion is one earlier or current text of a document. Official
// statements are sometimes edited silently; the versions keep every text seen.
type DocumentVersion struct {
	DocumentID  int64     `json:"document_id"`
	Version     int       `json:"version"` // 1 is the first text seen
	Title       string    `json:"title"`
	Text        string    `json:"text"`
	ContentHash string    `json:"content_hash"`
	Fetched     time.Time `json:"fetched"`
}

// SourceHealth is what the crawler last saw of a source, so a broken feed is
// visible in seconds.
type SourceHealth struct {
	SourceID            string        `json:"source"`
	LastAttempt         time.Time     `json:"last_attempt,omitzero"`
	LastSuccess         time.Time     `json:"last_success,omitzero"`
	LastError           string        `json:"last_error,omitempty"`
	LastErrorAt         time.Time     `json:"last_error_at,omitzero"`
	ConsecutiveFailures int           `json:"consecutive_failures"`
	ItemsSeen           int64         `json:"items_seen"` // in the last successful crawl
	ItemsNew            int64         `json:"items_new"`  // in the last successful crawl
	TotalDocuments      int64         `json:"total_documents"`
	NextDue             time.Time     `json:"next_due,omitzero"`
	Interval            time.Duration `json:"interval"` // current adaptive interval
}

// EventType follows how a case or policy actually moves.
type EventType string

const (
	TypeArrest       EventType = "arrest"
	TypeCharge       EventType = "charge"
	TypeHearing      EventType = "hearing"
	TypeTrial        EventType = "trial"
	TypeDiscontinued EventType = "discontinued" // case dropped or collapsed
	TypeVerdict      EventType = "verdict"
	TypeSentencing   EventType = "sentencing"
	TypeStatement    EventType = "statement" // official response or denial
	TypeWarning      EventType = "warning"   // security advisory
	TypePolicy       EventType = "policy"    // decision, designation, legislation, sanctions
	TypeOther        EventType = "other"
)

// EventTypes lists every event type in a stable order.
var EventTypes = []EventType{TypeArrest, TypeCharge, TypeHearing, TypeTrial, TypeDiscontinued,
	TypeVerdict, TypeSentencing, TypeStatement, TypeWarning, TypePolicy, TypeOther}

// Precision says how exactly a date is known.
type Precision string

const (
	PrecisionDay   Precision = "day"
	PrecisionMonth Precision = "month"
	PrecisionYear  Precision = "year"
)

// DateFound is a date read from a document's text, with where it came from.
type DateFound struct {
	Date       time.Time `json:"date"`
	Precision  Precision `json:"precision"`
	Confidence float64   `json:"confidence"`
	Phrase     string    `json:"phrase"` // the words it was resolved from, e.g. "on Monday"
	Offset     int       `json:"offset"` // byte offset of Phrase in the document text
}

// Actor is a person, organisation or country named in an event's documents.
type Actor struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"` // person, organisation, country, place, law
	Mentions int    `json:"mentions"`
}

// QuoteKind says whether a quote gives the speaker's own words or reports
// them.
type QuoteKind string

const (
	QuoteDirect   QuoteKind = "direct"   // verbatim, inside quotation marks
	QuoteIndirect QuoteKind = "indirect" // reported speech: "X said that …"
)

// QuoteCue says what a quote attributes to its speaker, from the verb (or
// phrase) that introduces it, so that a reader can keep to speech or
// include reported positions. Attribution corpora (PARC, PolNeAR) count all
// of them as attributions.
type QuoteCue string

const (
	CueSay    QuoteCue = "say"    // speech or writing: said, told, wrote, asked, according to, a quotation
	CueThink  QuoteCue = "think"  // belief, knowledge or feeling: believes, thinks, fears, knows
	CueIntend QuoteCue = "intend" // intention, plan or wish: wants to, plans to, hopes to
	CueStance QuoteCue = "stance" // a position taken on something: criticized, endorsed, praised, rejected
	CueFind   QuoteCue = "find"   // what a poll, study, report or inquiry found or shows
)

// Quote is what someone said, with the speaker, linked to where it was said.
// Start and End are rune (character) offsets into the document's stored text,
// end-exclusive: []rune(text)[Start:End] is exactly Text.
type Quote struct {
	Text    string    `json:"text"`
	Speaker string    `json:"speaker"`                   // person or institution, resolved ("Keir Starmer")
	Role    string    `json:"speaker_role"`              // the speaker's role where stated ("Prime Minister")
	Mention string    `json:"speaker_mention,omitempty"` // the words that name the speaker here ("he", "the minister")
	Kind    QuoteKind `json:"kind"`
	Cue     QuoteCue  `json:"cue,omitempty"` // what is attributed; empty in quotes stored before it was recorded
	Start   int       `json:"start"`
	End     int       `json:"end"`

	DocumentID int64 `json:"document_id"`
	EventID    int64 `json:"event_id,omitempty"`
}

// Display is the quote as a reader should see it, on one line: the
// speaker's own words in quotation marks, reported speech as written, marked
// as reported.
func (q Quote) Display() string {
	// A quotation over paragraphs reopens each one with a quotation mark;
	// on one line those marks go.
	lines := strings.Split(q.Text, "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = strings.TrimLeft(strings.TrimSpace(lines[i]), "“\"«„‘'「『")
	}
	text := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
	switch {
	case q.Kind == QuoteIndirect:
		switch q.Cue {
		case CueThink:
			return text + " (reported belief)"
		case CueIntend:
			return text + " (reported intention)"
		case CueStance:
			return text + " (reported position)"
		case CueFind:
			return text + " (reported finding)"
		}
		return text + " (reported)"
	case strings.ContainsAny(text, "\"“”«»„「」"):
		return text // reported words with quotations in them show their own marks
	}
	return "“" + text + "”"
}

// Event is something that happened in the world, reported by one or more
// documents.
type Event struct {
	ID                 int64       `json:"id"`
	Title              string      `json:"title"`
	Happened           time.Time   `json:"happened"`
	Precision          Precision   `json:"precision"`
	DateConfidence     float64     `json:"date_confidence"`
	DatePhrase         string      `json:"date_phrase,omitempty"`
	Type               EventType   `json:"type"`
	TypeEvidence       string      `json:"type_evidence,omitempty"`
	TypeConfidence     float64     `json:"type_confidence"`
	Actors             []Actor     `json:"actors,omitempty"`
	FirstDocumentID    int64       `json:"first_document_id"`
	PrimaryDocumentIDs []int64     `json:"primary_document_ids,omitempty"`
	DocumentIDs        []int64     `json:"document_ids"` // every member, in published order
	Quotes             []Quote     `json:"quotes,omitempty"`
	Mentioned          []DateFound `json:"mentioned,omitempty"`
	// Story is the long-running case the event belongs to.
	Story StoryRef `json:"story"`
	// Importance ranks events for "key moments" (see timeline.Importance):
	// higher is more important; comparable within one store.
	Importance float64 `json:"importance"`
	// RespondsTo is the earlier event of the same story this one answers (a
	// reaction by another actor), 0 if none.
	RespondsTo int64 `json:"responds_to,omitempty"`
	Edited     bool  `json:"edited"` // a human corrected it
	Seq        int64 `json:"seq"`    // bumps on every change
}

// StoryRef names the story an event belongs to.
type StoryRef struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// Story is a long-running case or issue (a prosecution from the arrests to
// the political row it caused) that events belong to. Every event belongs to
// exactly one story.
type Story struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	// Importance is the story's score (see timeline.Importance).
	Importance float64 `json:"importance"`
	Events     int     `json:"events"`
	Documents  int     `json:"documents"`
	// First and Last are the happened dates of its earliest and latest event.
	First time.Time `json:"first,omitzero"`
	Last  time.Time `json:"last,omitzero"`
	// LastActivity is when its latest document was published.
	LastActivity time.Time `json:"last_activity,omitzero"`
	Edited       bool      `json:"edited"` // a human corrected it
	Seq          int64     `json:"seq"`    // bumps on every change
}

// DocumentRole says what a document is to the events it reports.
type DocumentRole string

const (
	RoleReport    DocumentRole = "report"    // news of something that happened
	RoleStatement DocumentRole = "statement" // an official's own words: a primary source
	RoleAnalysis  DocumentRole = "analysis"  // analysis, explainer, factbox, opinion, live page: never starts an event
	RoleWire      DocumentRole = "wire"      // a copy of another document (wire story reprinted)
)

// SubscriptionLevel says whether a subscription fires per document or per event.
type SubscriptionLevel string

const (
	LevelArticle SubscriptionLevel = "article"
	LevelEvent   SubscriptionLevel = "event"
)

// Subscription is a saved query whose new matches are delivered to a channel.
type Subscription struct {
	ID        int64             `json:"id"`
	Name      string            `json:"name,omitempty"`
	Query     string            `json:"query"`
	Sources   []string          `json:"sources,omitempty"`
	Tags      []string          `json:"tags,omitempty"`
	Official  bool              `json:"official,omitempty"`
	Languages []string          `json:"languages,omitempty"`
	Types     []EventType       `json:"types,omitempty"`
	Level     SubscriptionLevel `json:"level"`
	Webhook   string            `json:"webhook,omitempty"`
	Email     string            `json:"email,omitempty"`
	// Atom selects the Atom channel: the feed is written to the data
	// directory's atom/subscription-ID.xml (never a path a user names).
	Atom bool `json:"atom,omitempty"`
	// AtomToken is the random capability in the public URL of the
	// subscription's feed (/atom/TOKEN); every subscription has one.
	AtomToken string    `json:"-"`
	Digest    string    `json:"digest,omitempty"` // "" or "immediate", hourly, daily@08:00, weekly@mon 08:00
	TimeZone  string    `json:"time_zone,omitempty"`
	Secret    string    `json:"-"` // HMAC key for webhook signatures
	Created   time.Time `json:"created"`
	StartSeq  int64     `json:"start_seq"` // matches start after this seq

	// Key is the id of the feeds.yaml alert this subscription comes from ("" when
	// added by CLI or API); config alerts are upserted by it.
	Key string `json:"key,omitempty"`
	// Cursor is the last document seq the subscription has been matched against.
	Cursor int64 `json:"cursor"`
	// EventCursor is the last event seq an event-level subscription has been
	// matched against.
	EventCursor int64 `json:"event_cursor,omitempty"`
	// NextDigest is when the next digest is due (zero for immediate delivery).
	NextDigest time.Time `json:"next_digest,omitzero"`
}

// DeliveryState is where a delivery stands in the outbox.
type DeliveryState string

const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed"
)

// Delivery is one outbox entry: a batch of matches for one subscription.
type Delivery struct {
	ID             int64         `json:"id"`
	SubscriptionID int64         `json:"subscription_id"`
	IdempotencyKey string        `json:"idempotency_key"`
	State          DeliveryState `json:"state"`
	Attempts       int           `json:"attempts"`
	LastError      string        `json:"last_error,omitempty"`
	Created        time.Time     `json:"created"`
	NextAttempt    time.Time     `json:"next_attempt,omitzero"`
	Delivered      time.Time     `json:"delivered,omitzero"`
	Payload        []byte        `json:"-"`
	Channel        string        `json:"channel"` // webhook, email or atom
	Matches        int           `json:"matches"` // how many matches it carries
}

// LatestPublished orders publication dates for "who published first": a date
// known only to the day (midnight UTC, from a URL or a dateline) may stand for
// any time that day, so it counts as the day's end; a wire story stamped 08:40
// is then earlier than a copy dated only to the same day.
func LatestPublished(t time.Time) time.Time {
	if DayOnly(t) {
		return t.UTC().Add(24*time.Hour - time.Second)
	}
	return t.UTC()
}

// DayOnly reports whether a publication time is known only to the day: the
// crawler and importers store such a date (from a URL, a dateline, a bare
// YYYY-MM-DD) as midnight UTC, and a page may state one as its own midnight
// (2025-10-08T00:00:00+02:00). It is midnight in its own zone (a time keeps
// the offset its page stated) and is shown as a date, never as "00:00".
func DayOnly(t time.Time) bool {
	return !t.IsZero() && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// InOffset is the instant sec (unix seconds) in a zone offset seconds east
// of UTC, as the store keeps publication times: the offset the page stated,
// 0 for UTC. The zero time stays zero.
func InOffset(sec int64, offset int) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	t := time.Unix(sec, 0)
	if offset == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", offset))
}

// Offset is the offset east of UTC, in seconds, that t is stated in.
func Offset(t time.Time) int {
	_, off := t.Zone()
	return off
}
