package demo

import (
	"fmt"
	"strings"
	"time"
)

// SourceInfo describes one demo source. Path is the feed, listing or sitemap
// path on the demo server; Links is the goquery selector for page sources.
type SourceInfo struct {
	ID, Title, Kind, Path, Links string
	Official                     bool
	Tags                         []string
}

// DisallowedPath is linked from the albion-post listing but disallowed by the
// demo server's robots.txt; a polite crawler never fetches it.
const DisallowedPath = "/private/embargoed-draft.html"

// BrokenSource is the source whose feed is malformed XML.
const BrokenSource = "westminster-insider"

// Sources returns the demo sources.
func Sources() []SourceInfo {
	return []SourceInfo{
		{ID: "thames-courier", Title: "The Thames Courier", Kind: "feed", Path: "/thames/rss.xml", Tags: []string{"uk", "news"}},
		{ID: "meridian-wire", Title: "Meridian Wire", Kind: "feed", Path: "/meridian/feed.rss", Tags: []string{"wire", "news"}},
		{ID: "security-review", Title: "Security Review", Kind: "feed", Path: "/security-review/atom.xml", Tags: []string{"analysis", "security"}},
		{ID: "albion-post", Title: "The Albion Post", Kind: "page", Path: "/albion/politics/", Links: "a.story", Tags: []string{"uk", "news"}},
		{ID: "northern-chronicle", Title: "Northern Chronicle", Kind: "sitemap", Path: "/northern/sitemap-index.xml", Tags: []string{"uk", "news"}},
		{ID: "cps-demo", Title: "Prosecution Service (demo)", Kind: "page", Path: "/cps/news/", Links: "a.news-link", Official: true, Tags: []string{"uk", "prosecution"}},
		{ID: "prc-embassy-demo", Title: "PRC Embassy in the UK (demo)", Kind: "page", Path: "/prc-embassy/statements/", Links: "ul.statements a", Official: true, Tags: []string{"china", "embassy"}},
		{ID: "ukgov-demo", Title: "UK Government news (demo)", Kind: "feed", Path: "/ukgov/atom.xml", Official: true, Tags: []string{"uk", "government"}},
		{ID: BrokenSource, Title: "Westminster Insider", Kind: "feed", Path: "/westminster/feed.xml", Tags: []string{"uk", "politics"}},
	}
}

func sourceByID(id string) (SourceInfo, bool) {
	for _, s := range Sources() {
		if s.ID == id {
			return s, true
		}
	}
	return SourceInfo{}, false
}

// fetchArticles says which feed sources carry only summaries, so that the
// crawler must fetch each item's page.
var fetchArticles = map[string]bool{"thames-courier": true, "meridian-wire": true, "ukgov-demo": true}

func defaultPath(source, id string, published time.Time) string {
	switch source {
	case "thames-courier":
		return "/thames/news/" + id
	case "meridian-wire":
		return "/meridian/story/" + id
	case "security-review":
		return "/security-review/analysis/" + id
	case "albion-post":
		return published.Format("/albion/2006/01/02/") + id + ".html"
	case "northern-chronicle":
		return "/northern/news/" + id
	case "cps-demo":
		return "/cps/news/" + id
	case "prc-embassy-demo":
		return "/prc-embassy/eng/" + id + ".htm"
	case "ukgov-demo":
		return "/ukgov/news/" + id
	}
	return "/" + source + "/" + id
}

// Config returns a complete feeds.yaml for the demo server at baseURL.
func Config(baseURL string) string {
	baseURL = strings.TrimRight(baseURL, "/")
	var b strings.Builder
	b.WriteString("# feeds.yaml for `watchline demo`: every source is on the loopback demo server.\n")
	b.WriteString("defaults: {interval: 30m, delay: 0s, user_agent: \"watchline-demo/1.0 (+https://github.com/watchline/watchline)\", max_body: 10MiB}\n")
	b.WriteString("sources:\n")
	for _, s := range Sources() {
		fmt.Fprintf(&b, "  - id: %s\n    title: %q\n    kind: %s\n    url: %s%s\n", s.ID, s.Title, s.Kind, baseURL, s.Path)
		if s.Links != "" {
			fmt.Fprintf(&b, "    links: %q\n", s.Links)
		}
		fmt.Fprintf(&b, "    official: %t\n    tags: [%s]\n    delay: 0s\n    allow_private: true\n", s.Official, strings.Join(s.Tags, ", "))
		if fetchArticles[s.ID] {
			b.WriteString("    fetch_articles: true\n")
		}
	}
	b.WriteString(`topics:
  - id: uk-china-spy-case
    title: The collapsed UK China spy case
    query: '"Christopher Cash" OR "Christopher Berry" OR "China spy case"'
  - id: russia-bulgarian-spy-ring
    title: The Bulgarian spy ring working for Russia
    query: '"Orlin Roussev" OR "Bulgarian spy ring" OR (Bulgarian AND spy)'
  - id: foreign-influence-registration
    title: The Foreign Influence Registration Scheme
    query: '"Foreign Influence Registration Scheme" OR FIRS OR "enhanced tier"'
  - id: mss-linkedin-recruitment
    title: Chinese intelligence recruiting through LinkedIn
    query: 'MI5 AND (LinkedIn OR headhunter OR recruiters)'
`)
	// The demo's webhook receiver listens on loopback: opted in explicitly,
	// as any private receiver must be.
	b.WriteString("# the demo's webhook receiver is on loopback\nalerts_allow_private: true\n")
	return b.String()
}
