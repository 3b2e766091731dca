package demo

import (
	"fmt"
	"html"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// response is one prepared HTTP response of the demo server.
type response struct {
	contentType string
	body        []byte
	lastMod     time.Time
	conditional bool // honour If-None-Match / If-Modified-Since
}

func esc(s string) string { return html.EscapeString(s) }

// site renders every path of the demo server for one phase.
func site(base string, docs []*doc, phase int) (map[string]response, error) {
	var live []*doc
	for _, d := range docs {
		if d.Phase <= phase {
			live = append(live, d)
		}
	}
	bySource := map[string][]*doc{}
	for _, d := range live {
		bySource[d.Source] = append(bySource[d.Source], d)
	}
	// Newest first, as outlets list them.
	for _, ds := range bySource {
		sort.SliceStable(ds, func(i, j int) bool { return ds[i].Published.After(ds[j].Published) })
	}
	m := map[string]response{}
	for _, d := range live {
		r, err := renderPage(base, d, phase, bySource[d.Source])
		if err != nil {
			return nil, err
		}
		m[d.Path] = r
	}
	feed := func(p, ct, body string, ds []*doc) {
		m[p] = response{contentType: ct, body: []byte(body), lastMod: newest(ds), conditional: true}
	}
	const rssCT, atomCT, xmlCT, htmlCT = "application/rss+xml; charset=utf-8", "application/atom+xml; charset=utf-8", "application/xml; charset=utf-8", "text/html; charset=utf-8"
	feed("/thames/rss.xml", rssCT, rss(base, "The Thames Courier", "/thames/", bySource["thames-courier"], "?utm_source=rss&utm_medium=feed"), bySource["thames-courier"])
	feed("/meridian/feed.rss", rssCT, rss(base, "Meridian Wire: top stories", "/meridian/", bySource["meridian-wire"], ""), bySource["meridian-wire"])
	feed("/security-review/atom.xml", atomCT, atom(base, "Security Review", "/security-review/atom.xml", bySource["security-review"], true), bySource["security-review"])
	feed("/ukgov/atom.xml", atomCT, atom(base, "UK Government news (demo)", "/ukgov/atom.xml", bySource["ukgov-demo"], false), bySource["ukgov-demo"])
	feed("/northern/sitemap-index.xml", xmlCT, sitemapIndex(base, bySource["northern-chronicle"]), bySource["northern-chronicle"])
	feed("/northern/news-sitemap.xml", xmlCT, newsSitemap(base, bySource["northern-chronicle"]), bySource["northern-chronicle"])
	feed("/albion/politics/", htmlCT, albionListing(bySource["albion-post"]), bySource["albion-post"])
	feed("/cps/news/", htmlCT, cpsListing(bySource["cps-demo"]), bySource["cps-demo"])
	feed("/prc-embassy/statements/", htmlCT, embassyListing(bySource["prc-embassy-demo"]), bySource["prc-embassy-demo"])
	m["/westminster/feed.xml"] = response{contentType: rssCT, body: []byte(brokenFeed(base)), conditional: true,
		lastMod: time.Date(2025, 10, 9, 7, 0, 0, 0, time.UTC)}
	m["/robots.txt"] = response{contentType: "text/plain; charset=utf-8", body: []byte("User-agent: *\nDisallow: /private/\n")}
	m[DisallowedPath] = response{contentType: htmlCT, body: []byte("<!doctype html><html><head><title>Embargoed draft</title></head><body><p>Embargoed draft: not for publication. Robots must not fetch this page.</p></body></html>")}
	m["/"] = response{contentType: htmlCT, body: []byte(index())}
	return m, nil
}

func newest(ds []*doc) time.Time {
	var t time.Time
	for _, d := range ds {
		if d.Published.After(t) {
			t = d.Published
		}
	}
	return t
}

func (d *doc) text(phase int) string {
	if phase >= 2 && d.TextV2 != "" {
		return d.TextV2
	}
	return d.Text
}

func paras(text string) string {
	var b strings.Builder
	for _, p := range strings.Split(text, "\n\n") {
		fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
	}
	return b.String()
}

func firstPara(text string) string {
	p, _, _ := strings.Cut(text, "\n\n")
	return p
}

func longDate(t time.Time) string { return t.Format("2 January 2006") }

func byline(d *doc) string { return strings.Join(d.Authors, " and ") }

// related lists up to three other stories of the same outlet, newest first:
// their dates are a trap for extractors that take the first date on a page.
func related(d *doc, all []*doc, withDates bool) string {
	var b strings.Builder
	b.WriteString(`<aside class="related"><h3>Related stories</h3><ul>`)
	n := 0
	for _, o := range all {
		if o == d || n == 3 {
			continue
		}
		n++
		if withDates {
			fmt.Fprintf(&b, `<li><a href="%s">%s</a> <span class="date">%s</span></li>`, o.Path, esc(o.Title), longDate(o.Published))
		} else {
			fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, o.Path, esc(o.Title))
		}
	}
	b.WriteString("</ul></aside>\n")
	return b.String()
}

const shareButtons = `<div class="share"><a href="#">Share on X</a> <a href="#">Share on Facebook</a> <a href="#">Email this story</a></div>`

const comments = `<section id="comments"><h3>Comments (3)</h3>
<div class="comment"><b>ReaderOne</b> <span>2 days ago</span><p>About time this was properly explained. Nobody seems to be taking responsibility.</p></div>
<div class="comment"><b>oxford_sceptic</b> <span>1 day ago</span><p>Read the whole thing before commenting, people.</p></div>
<div class="comment"><b>J. Marsh</b> <span>5 hours ago</span><p>Subscribe to our newsletter for more stories like this.</p></div>
</section>`

func renderPage(base string, d *doc, phase int, sameSource []*doc) (response, error) {
	body := paras(d.text(phase))
	t := d.Published
	var page string
	switch d.Source {
	case "thames-courier":
		page = fmt.Sprintf(`<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>%[1]s | The Thames Courier</title>
<link rel="canonical" href="%[2]s%[3]s">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":%[4]q,"datePublished":%[5]q,"author":[%[6]s],"publisher":{"@type":"Organization","name":"The Thames Courier"}}</script>
</head><body>
<nav class="top"><a href="/thames/">Home</a> <a href="/thames/uk">UK</a> <a href="/thames/world">World</a> <a href="/thames/politics">Politics</a> <a href="/thames/opinion">Opinion</a></nav>
<main><article><h1>%[1]s</h1><p class="byline">By %[7]s</p>
%[8]s</article>
%[9]s
%[10]s</main>
%[11]s
<footer><p>&copy; The Thames Courier 2026. All rights reserved.</p></footer></body></html>`,
			esc(d.Title), base, d.Path, d.Title, t.Format(time.RFC3339), jsonAuthors(d.Authors), esc(byline(d)), body,
			shareButtons, related(d, sameSource, true), comments)
	case "meridian-wire":
		page = fmt.Sprintf(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%[1]s - Meridian Wire</title></head><body>
<header><a class="logo" href="/meridian/">MERIDIAN WIRE</a> <a href="/meridian/markets">Markets</a> <a href="/meridian/world">World</a></header>
<div class="story"><h1>%[1]s</h1>
<div class="meta">By %[2]s | <time datetime="%[3]s">%[4]s</time></div>
<div class="story-body">%[5]s</div>
<p class="standards">Our standards: The Meridian Wire trust principles.</p></div>
%[6]s
<footer>Meridian Wire &middot; Reporting since 1921</footer></body></html>`,
			esc(d.Title), esc(byline(d)), t.Format(time.RFC3339), t.UTC().Format("January 2, 2006 3:04 PM UTC"), body, shareButtons)
	case "security-review":
		page = fmt.Sprintf(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%[1]s</title>
<meta property="og:type" content="article"><meta property="og:title" content="%[1]s">
<meta property="article:published_time" content="%[2]s">
<meta name="author" content="%[3]s">
</head><body>
<nav><a href="/security-review/">Security Review</a> | <a href="/security-review/about">About</a> | <a href="/security-review/subscribe">Subscribe</a></nav>
<article class="analysis"><header><h1>%[1]s</h1><p class="author">%[3]s</p></header>
<section class="content">%[4]s</section></article>
<footer><p>Copyright &copy; 2026 Security Review Ltd. Updated daily.</p></footer></body></html>`,
			esc(d.Title), t.Format(time.RFC3339), esc(byline(d)), body)
	case "albion-post":
		upd := ""
		if !d.updated.IsZero() {
			upd = fmt.Sprintf(`<p class="updated">Last updated: %s</p>`, d.updated.Format("2 January 2006, 15:04"))
		}
		page = fmt.Sprintf(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%[1]s - The Albion Post</title></head><body>
<div id="masthead"><a href="/albion/politics/">The Albion Post</a> <a href="/albion/sport/">Sport</a> <a href="/albion/money/">Money</a></div>
<div class="content"><h1 class="headline">%[1]s</h1><p class="by">%[2]s</p>%[3]s
<div class="article-text">%[4]s</div></div>
%[5]s
%[6]s
<div id="footer">The Albion Post &middot; Terms &middot; Privacy</div></body></html>`,
			esc(d.Title), esc(byline(d)), upd, body, related(d, sameSource, false), comments)
	case "northern-chronicle":
		page = fmt.Sprintf(`<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>%[1]s</title>
<link rel="canonical" href="%[2]s%[3]s"></head><body>
<nav><ul><li><a href="/northern/">News</a></li><li><a href="/northern/business">Business</a></li></ul></nav>
<article><h1>%[1]s</h1><p class="dateline">Published %[4]s</p><p class="author">By %[5]s</p>
%[6]s</article>
%[7]s
<footer>Northern Chronicle, Leeds. Registered in England.</footer></body></html>`,
			esc(d.Title), base, d.Path, longDate(t), esc(byline(d)), body, comments)
	case "cps-demo":
		page = fmt.Sprintf(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%[1]s | Prosecution Service</title></head><body>
<header class="site"><a href="/cps/news/">Prosecution Service</a> <a href="/cps/about">About</a> <a href="/cps/contact">Contact</a></header>
<main><h1>%[1]s</h1><p class="date">%[2]s</p>
<div class="field-body">%[3]s</div>
<p class="notes">Notes to editors: the defendants are entitled to a fair trial. Media enquiries: press office.</p></main>
<footer>Prosecution Service (demo) &middot; Accessibility &middot; Privacy</footer></body></html>`,
			esc(d.Title), longDate(t), body)
	case "prc-embassy-demo":
		charset := "utf-8"
		if d.Charset != "" {
			charset = d.Charset
		}
		page = fmt.Sprintf(`<!DOCTYPE html>
<html><head><meta charset="%[1]s"><title>%[2]s</title></head><body>
<div class="nav"><a href="/prc-embassy/">Home</a> <a href="/prc-embassy/statements/">Embassy Spokesperson</a></div>
<div class="article"><h2>%[2]s</h2><div class="time">%[3]s</div>
<div class="content">%[4]s</div></div>
<div class="foot">Embassy of the People's Republic of China in the United Kingdom (demo)</div></body></html>`,
			charset, esc(d.Title), t.Format("2006/01/02 15:04"), body)
	case "ukgov-demo":
		upd := ""
		if !d.updated.IsZero() {
			upd = "<dt>Last updated</dt><dd>" + longDate(d.updated) + "</dd>"
		}
		page = fmt.Sprintf(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%[1]s - GOV (demo)</title>
<meta name="govuk:first-published-at" content="%[2]s"></head><body>
<header><a href="/ukgov/">GOV (demo)</a></header>
<main><h1 class="title">%[1]s</h1><dl class="metadata"><dt>From</dt><dd>%[3]s</dd><dt>Published</dt><dd>%[4]s</dd>%[5]s</dl>
<div class="govspeak">%[6]s</div></main>
<footer>All content is available under the Open Government Licence (demo).</footer></body></html>`,
			esc(d.Title), t.Format(time.RFC3339), esc(byline(d)), longDate(t), upd, body)
	default:
		return response{}, fmt.Errorf("render %s: no page style for source %s", d.ID, d.Source)
	}
	r := response{contentType: "text/html; charset=utf-8", body: []byte(page)}
	if d.Charset != "" {
		enc, err := simplifiedchinese.GBK.NewEncoder().String(page)
		if err != nil {
			return response{}, fmt.Errorf("render %s as %s: %w", d.ID, d.Charset, err)
		}
		// The charset is declared only in the page's <meta>, not in the header.
		r = response{contentType: "text/html", body: []byte(enc)}
	}
	return r, nil
}

func jsonAuthors(as []string) string {
	var parts []string
	for _, a := range as {
		parts = append(parts, fmt.Sprintf(`{"@type":"Person","name":%q}`, a))
	}
	return strings.Join(parts, ",")
}

func rss(base, title, home string, ds []*doc, tracking string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>%s</title><link>%s%s</link><description>Latest stories</description><language>en-gb</language><lastBuildDate>%s</lastBuildDate>
`, esc(title), base, home, newest(ds).Format(time.RFC1123Z))
	for _, d := range ds {
		date := d.Published
		if !d.feedDate.IsZero() {
			date = d.feedDate
		}
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s%s%s</link><guid isPermaLink=\"false\">%s</guid><pubDate>%s</pubDate><dc:creator>%s</dc:creator><description>%s</description></item>\n",
			esc(d.Title), base, d.Path, esc(tracking), d.ID, date.Format(time.RFC1123Z), esc(byline(d)), esc(firstPara(d.Text)))
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

func atom(base, title, self string, ds []*doc, full bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>%s</title><id>%s%s</id><link rel="self" href="%s%s"/><updated>%s</updated>
`, esc(title), base, self, base, self, newest(ds).Format(time.RFC3339))
	for _, d := range ds {
		fmt.Fprintf(&b, "<entry><title>%s</title><id>tag:watchline-demo,2025:%s</id><link rel=\"alternate\" href=\"%s%s\"/><published>%s</published><updated>%s</updated>",
			esc(d.Title), d.ID, base, d.Path, d.Published.Format(time.RFC3339), d.Published.Format(time.RFC3339))
		for _, a := range d.Authors {
			fmt.Fprintf(&b, "<author><name>%s</name></author>", esc(a))
		}
		if full {
			fmt.Fprintf(&b, "<content type=\"html\">%s</content>", esc(paras(d.Text)))
		} else {
			fmt.Fprintf(&b, "<summary>%s</summary>", esc(firstPara(d.Text)))
		}
		b.WriteString("</entry>\n")
	}
	b.WriteString("</feed>\n")
	return b.String()
}

func sitemapIndex(base string, ds []*doc) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>%s/northern/news-sitemap.xml</loc><lastmod>%s</lastmod></sitemap>
</sitemapindex>
`, base, newest(ds).Format(time.RFC3339))
}

func newsSitemap(base string, ds []*doc) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
`)
	for _, d := range ds {
		fmt.Fprintf(&b, "<url><loc>%s%s</loc><news:news><news:publication><news:name>Northern Chronicle</news:name><news:language>%s</news:language></news:publication><news:publication_date>%s</news:publication_date><news:title>%s</news:title></news:news></url>\n",
			base, d.Path, d.Language, d.Published.Format(time.RFC3339), esc(d.Title))
	}
	b.WriteString("</urlset>\n")
	return b.String()
}

func albionListing(ds []*doc) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Politics - The Albion Post</title></head><body>
<div id="masthead"><a href="/albion/politics/">The Albion Post</a> <a href="/albion/sport/">Sport</a> <a href="/albion/money/">Money</a></div>
<h1>Politics</h1><div class="stories">
`)
	for i, d := range ds {
		link := d.Path
		if i%2 == 0 {
			link += "?utm_source=homepage&utm_medium=web&utm_campaign=politics"
		}
		fmt.Fprintf(&b, "<div class=\"teaser\"><a class=\"story\" href=\"%s\">%s</a><p>%s</p></div>\n", esc(link), esc(d.Title), esc(firstPara(d.Text)))
	}
	fmt.Fprintf(&b, "<div class=\"teaser\"><a class=\"story\" href=\"%s\">Embargoed: draft story</a></div>\n", DisallowedPath)
	b.WriteString(`</div><div class="promo"><a href="/albion/subscribe">Subscribe for £1</a></div></body></html>`)
	return b.String()
}

func cpsListing(ds []*doc) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>News | Prosecution Service</title></head><body>
<header class="site"><a href="/cps/news/">Prosecution Service</a> <a href="/cps/about">About</a></header>
<main><h1>News</h1><ul class="news">
`)
	for _, d := range ds {
		fmt.Fprintf(&b, "<li><a class=\"news-link\" href=\"%s\">%s</a> <span class=\"date\">%s</span></li>\n", d.Path, esc(d.Title), longDate(d.Published))
	}
	b.WriteString("</ul></main></body></html>")
	return b.String()
}

func embassyListing(ds []*doc) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Embassy Spokesperson</title></head><body>
<div class="nav"><a href="/prc-embassy/">Home</a> <a href="/prc-embassy/statements/">Embassy Spokesperson</a></div>
<ul class="statements">
`)
	for _, d := range ds {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a> (%s)</li>\n", d.Path, esc(d.Title), d.Published.Format("2006-01-02"))
	}
	b.WriteString("</ul></body></html>")
	return b.String()
}

// brokenFeed is an RSS document cut off mid-item, with a bare ampersand, so
// a feed parser rejects it.
func brokenFeed(base string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Westminster Insider</title><link>` + base + `/westminster/</link>
<item><title>Lobby notes: committee chairs & the spy case</title><link>` + base + `/westminster/lobby-notes
<description><![CDATA[Committee chairs want to know who decided what and wh`
}

func index() string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>watchline demo sources</title></head><body><h1>watchline demo sources</h1><ul>`)
	for _, s := range Sources() {
		fmt.Fprintf(&b, `<li><a href="%s">%s</a> (%s)</li>`, s.Path, esc(s.Title), s.Kind)
	}
	b.WriteString("</ul></body></html>")
	return b.String()
}
