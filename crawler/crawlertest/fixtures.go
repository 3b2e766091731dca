package crawlertest

import (
	"fmt"
	"html"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Article is one fixture article: what its page says and what a correct
// crawl should store.
type Article struct {
	Path       string
	Title      string
	Published  string // RFC 3339, as the page's metadata states it
	Paragraphs []string
}

// Text is the article body as the crawler should store it.
func (a Article) Text() string { return strings.Join(a.Paragraphs, "\n\n") }

// The fixture articles. The stories are invented for these tests and written
// for them; names of institutions are real, events are not.
var (
	ArrestArticle = Article{
		Path:      "/articles/arrest.html",
		Title:     "Two held over alleged plot to pass defence files abroad",
		Published: "2025-03-04T08:15:00Z",
		Paragraphs: []string{
			"Counter-terrorism officers detained two men in the early hours of Tuesday on suspicion of gathering material useful to a foreign intelligence service, police said in a short statement that named neither suspect.",
			"The pair, aged 41 and 36, were taken to a station in the south of the city and remain in custody while searches continue at three addresses, the force added, stressing that there was no wider threat to the public.",
			"A spokesperson for the Home Office declined to comment on an operational matter, but said ministers were being kept informed and that the security services had been involved from the start of the inquiry.",
			"Officials familiar with the investigation said it had begun more than a year ago after a tip from an allied government about unusual requests for procurement documents from a defence contractor.",
		},
	}
	ChargeArticle = Article{
		Path:      "/articles/charge.html",
		Title:     "Prosecutors authorise charges in defence files case",
		Published: "2025-03-28T16:40:00Z",
		Paragraphs: []string{
			"Prosecutors have authorised charges against two men arrested earlier this month in an inquiry into the alleged passing of defence procurement files to a foreign state, the prosecution service announced on Friday afternoon.",
			"Both men are accused of obtaining information that might be useful to an enemy, and will appear before magistrates next Wednesday, according to a statement issued by the head of the special crime division.",
			"The statement reminded the media that criminal proceedings were now active and that nothing should be reported which could prejudice a fair trial, a standard warning in cases of this kind.",
			"Lawyers for one of the men said their client denied any wrongdoing and would contest the charge vigorously, describing the material involved as publicly available commercial brochures.",
		},
	}
	PlainArticle = Article{
		Path:      "/articles/plain.html",
		Title:     "Committee asks for review of vetting rules for parliamentary staff",
		Published: "2025-04-10T11:00:00Z",
		Paragraphs: []string{
			"A cross-party committee has asked the parliamentary authorities to review how researchers and assistants are vetted, after a string of cases in which staff were accused of working for foreign governments.",
			"The committee's report says the current checks were designed for a different era and rely too heavily on self-declaration, leaving the security team with little idea of who has a pass until something goes wrong.",
			"Its chair told reporters the recommendations were modest and could be put in place within a year, including a register of outside interests for staff and annual refresher briefings on approaches by intelligence officers.",
		},
	}
	WireOriginal = Article{
		Path:      "/articles/wire-original.html",
		Title:     "Embassy rejects espionage claims as groundless",
		Published: "2025-05-02T09:30:00Z",
		Paragraphs: []string{
			"The embassy on Friday rejected allegations that its diplomats had tried to recruit officials in the transport ministry, calling the claims groundless and politically motivated in a statement posted on its website.",
			"The statement said the country had always respected the sovereignty of other nations and did not interfere in their internal affairs, and it urged the government to stop spreading what it described as false narratives.",
			"The allegations were first raised in a newspaper report on Wednesday, which said two junior officials had been offered paid consultancy work by people claiming to represent a research institute.",
			"A government spokesperson said the matter was being looked at by the relevant authorities and that it would not comment on intelligence matters, but added that any attempt to interfere would be met with a robust response.",
			"Opposition politicians called for an urgent statement in parliament and for the government to publish its latest assessment of the threat posed by hostile states to the civil service.",
			"Analysts said the episode followed a familiar pattern in which allegations are met with a blanket denial and a demand for evidence that the security services are unlikely ever to make public.",
		},
	}
	// WireCopy is WireOriginal as a client paper ran it: new headline, the
	// last paragraph cut for space.
	WireCopy = Article{
		Path:       "/articles/wire-copy.html",
		Title:      "Embassy hits back over recruitment allegations",
		Published:  "2025-05-02T10:05:00Z",
		Paragraphs: WireOriginal.Paragraphs[:5],
	}
	// GB2312Article is served in GB2312 with the charset declared only in a
	// <meta> tag.
	GB2312Article = Article{
		Path:      "/articles/gb2312.html",
		Title:     "外交部发言人就所谓间谍案答记者问",
		Published: "2025-05-03T07:00:00Z",
		Paragraphs: []string{
			"有记者问：英方近日指责我国外交人员在英从事间谍活动，中方对此有何回应？发言人表示，有关指控毫无事实根据，纯属恶意捏造，中方对此坚决反对。",
			"发言人说，中国始终坚持不干涉别国内政原则，从未也不会干涉英国内部事务。我们敦促英方停止散布虚假信息，停止损害两国关系的错误做法。",
			"发言人还表示，中方希望英方以客观理性的态度看待中国的发展，多做有利于增进双方互信与合作的事情，为两国关系健康稳定发展创造良好条件。",
		},
	}
	// Latin1Article is served in windows-1252 with no charset anywhere.
	Latin1Article = Article{
		Path:      "/articles/latin1.html",
		Title:     "Café owner’s testimony cited in espionage appeal",
		Published: "2025-05-06T13:20:00Z",
		Paragraphs: []string{
			"Lawyers for a man convicted last year of spying told the appeal court on Tuesday that evidence from a café owner in the town centre had been given too much weight by the jury at the original trial.",
			"The café owner had said she saw the defendant meet the same two visitors every week for several months, a routine the prosecution argued was consistent with the handling of an agent by foreign officers.",
			"The defence said the meetings were chess games and produced a score sheet signed by all three men; the judges reserved their decision and are expected to rule before the summer recess begins in July.",
		},
	}
	// Statement is an official page that Edit changes silently.
	Statement = Article{
		Path:      "/official/statement.html",
		Title:     "Statement on the discontinued prosecution",
		Published: "2025-06-01T12:00:00Z",
		Paragraphs: []string{
			"The prosecution service has today informed the court that it will offer no evidence against the two defendants in the defence files case, and the charges will therefore be formally dismissed by the judge.",
			"Prosecutors keep every case under review. Following the receipt of further material, it was concluded that the evidential standard in our code for prosecutors was no longer met, and the case could not continue.",
			"We have explained our decision to the investigating officers and to the defendants' representatives, and we will not be making any further comment while related proceedings remain possible.",
		},
	}
	// StatementEdit is the text Statement is silently edited to.
	StatementEdit = []string{
		Statement.Paragraphs[0],
		"Prosecutors keep every case under review. Following the receipt of further material from a government department, it was concluded that the evidential standard in our code for prosecutors was no longer met.",
		Statement.Paragraphs[2],
	}
)

// Articles lists every fixture article served as a page.
func Articles() []Article {
	return []Article{ArrestArticle, ChargeArticle, PlainArticle, WireOriginal, WireCopy, GB2312Article, Latin1Article, Statement}
}

// PageHTML renders an article page (UTF-8 unless the caller re-encodes it).
func PageHTML(base string, a Article, charsetMeta string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head>")
	if charsetMeta != "" {
		fmt.Fprintf(&b, `<meta http-equiv="Content-Type" content="text/html; charset=%s">`, charsetMeta)
	}
	fmt.Fprintf(&b, "<title>%s | Fixture News</title>\n", html.EscapeString(a.Title))
	fmt.Fprintf(&b, `<link rel="canonical" href="%s%s">`+"\n", base, a.Path)
	fmt.Fprintf(&b, `<meta property="article:published_time" content="%s">`+"\n", a.Published)
	b.WriteString("</head><body>\n<header><nav><a href=\"/\">Home</a> <a href=\"/politics/\">Politics</a> <a href=\"/world/\">World</a></nav></header>\n")
	fmt.Fprintf(&b, "<main><article>\n<h1>%s</h1>\n<p class=\"byline\">By Fixture Staff</p>\n<time datetime=\"%s\"></time>\n", html.EscapeString(a.Title), a.Published)
	for _, p := range a.Paragraphs {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
	}
	b.WriteString("</article></main>\n<footer><p>Fixture News is a test site. All rights reserved 2019.</p></footer>\n</body></html>\n")
	return b.String()
}

// Fixtures returns the fixed pages of the server at base, keyed by path.
func Fixtures(base string) map[string]Page {
	pages := map[string]Page{}
	for _, a := range []Article{ArrestArticle, ChargeArticle, PlainArticle, WireOriginal, WireCopy} {
		pages[a.Path] = Page{Body: []byte(PageHTML(base, a, "")), Conditional: true}
	}
	gb, err := simplifiedchinese.GBK.NewEncoder().String(PageHTML(base, GB2312Article, "gb2312"))
	if err != nil {
		panic(err) // fixture text is fixed; this cannot happen
	}
	pages[GB2312Article.Path] = Page{ContentType: "text/html", Body: []byte(gb)}
	latin, err := charmap.Windows1252.NewEncoder().String(PageHTML(base, Latin1Article, ""))
	if err != nil {
		panic(err)
	}
	pages[Latin1Article.Path] = Page{ContentType: "text/html", Body: []byte(latin)}
	pages[Statement.Path] = Page{Body: []byte(PageHTML(base, Statement, "")), Conditional: true}
	pages["/private/secret.html"] = Page{Body: []byte(PageHTML(base, Article{Path: "/private/secret.html", Title: "Secret",
		Published: "2025-01-01T00:00:00Z", Paragraphs: PlainArticle.Paragraphs}, ""))}

	pages["/feeds/rss.xml"] = Page{ContentType: "application/rss+xml", Conditional: true, Body: []byte(RSS(base,
		ArrestArticle, ChargeArticle, PlainArticle))}
	pages["/feeds/wire.xml"] = Page{ContentType: "application/rss+xml", Body: []byte(RSS(base, WireOriginal, WireCopy))}
	pages["/feeds/atom.xml"] = Page{ContentType: "application/atom+xml", Body: []byte(atomFeed(base))}
	pages["/feeds/feed.json"] = Page{ContentType: "application/feed+json", Body: []byte(jsonFeed(base))}
	pages["/feeds/rdf.xml"] = Page{ContentType: "application/rdf+xml", Body: []byte(rdfFeed(base))}
	pages["/feeds/broken.xml"] = Page{ContentType: "application/rss+xml", Body: []byte(BrokenFeed)}
	pages["/feeds/notfeed"] = Page{ContentType: "text/html; charset=utf-8", Body: []byte("<html><body><p>Nothing to see here.</p></body></html>")}
	pages["/feeds/gzip.xml"] = Page{ContentType: "application/rss+xml", Gzip: true, Body: []byte(RSS(base, PlainArticle))}
	pages["/listing.html"] = Page{Body: []byte(listing(base))}
	pages["/official/"] = Page{Conditional: true, Body: []byte(`<html><body><ul class="statements"><li><a href="/official/statement.html">Statement</a></li></ul></body></html>`)}
	pages["/sitemap-index.xml"] = Page{ContentType: "application/xml", Body: []byte(`<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>` + base + `/sitemap-news.xml</loc></sitemap>
  <sitemap><loc>` + base + `/sitemap-index.xml</loc></sitemap>
</sitemapindex>`)}
	pages["/sitemap-news.xml"] = Page{ContentType: "application/xml", Body: []byte(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>` + base + ArrestArticle.Path + `</loc>
    <news:news><news:publication><news:name>Fixture News</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>` + ArrestArticle.Published + `</news:publication_date><news:title>` + ArrestArticle.Title + `</news:title></news:news></url>
  <url><loc>` + base + ChargeArticle.Path + `</loc><lastmod>2025-03-29</lastmod></url>
</urlset>`)}
	return pages
}

// BrokenFeed is an RSS feed cut off in the middle of an item.
const BrokenFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Broken</title>
<item><title>First</title><link>/articles/plain.html</link><description>Cut <b>off</description>
`

// RSS renders an RSS 2.0 feed listing the articles with short summaries.
func RSS(base string, arts ...Article) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Fixture News</title><link>" + base + "/</link><description>Test feed</description>\n")
	for _, a := range arts {
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s%s?utm_source=rss</link><guid isPermaLink=\"false\">%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			html.EscapeString(a.Title), base, a.Path, a.Path, rfc822(a.Published), html.EscapeString(first(a.Paragraphs)))
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

func first(ps []string) string {
	if len(ps) == 0 {
		return ""
	}
	return ps[0]
}

func rfc822(rfc3339 string) string {
	// Fixture dates are all UTC "…Z"; turn 2025-03-04T08:15:00Z into RFC 1123Z.
	var y, mo, d, h, mi, s int
	fmt.Sscanf(rfc3339, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s)
	months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	return fmt.Sprintf("%02d %s %d %02d:%02d:%02d +0000", d, months[(mo+11)%12], y, h, mi, s)
}

// AtomEntries are the full-text entries of the Atom fixture feed, whose links
// point at pages the server does not have: a crawl that does not fetch
// articles stores them from the feed alone.
var AtomEntries = []Article{
	{Path: "/atom/sanctions-list", Title: "Sanctions list extended to three front companies", Published: "2025-02-11T10:00:00Z",
		Paragraphs: []string{
			"The foreign ministry added three trading companies to its sanctions list on Tuesday, saying they had acted as fronts for the purchase of controlled electronics on behalf of a foreign military intelligence agency.",
			"The companies' assets have been frozen and their directors banned from entering the country, a statement said, adding that the designations were coordinated with two allied governments.",
		}},
	{Path: "/atom/advisory", Title: "Security service issues advisory on fake recruiters", Published: "2025-02-20T09:00:00Z",
		Paragraphs: []string{
			"The security service has published an advisory warning public servants about fake recruiters who use professional networking sites to offer well-paid consultancy work in exchange for policy papers.",
			"The advisory lists common signs of an approach, such as flattering messages, quick offers of travel and payment for short reports, and asks anyone contacted in this way to tell their security officer.",
		}},
}

func atomFeed(base string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Fixture Ministry</title><id>urn:fixture:atom</id><updated>2025-02-20T09:00:00Z</updated>\n")
	for _, a := range AtomEntries {
		var body strings.Builder
		for _, p := range a.Paragraphs {
			fmt.Fprintf(&body, "<p>%s</p>", html.EscapeString(p))
		}
		fmt.Fprintf(&b, "<entry><title>%s</title><link rel=\"alternate\" href=\"%s%s\"/><id>urn:fixture:%s</id><updated>%s</updated><published>%s</published><author><name>Press Office</name></author><content type=\"html\">%s</content></entry>\n",
			html.EscapeString(a.Title), base, a.Path, a.Path, a.Published, a.Published, html.EscapeString(body.String()))
	}
	b.WriteString("</feed>\n")
	return b.String()
}

func jsonFeed(base string) string {
	return `{"version": "https://jsonfeed.org/version/1.1", "title": "Fixture JSON", "items": [
  {"id": "1", "url": "` + base + PlainArticle.Path + `", "title": "` + PlainArticle.Title + `", "content_text": "` + PlainArticle.Paragraphs[0] + `", "date_published": "` + PlainArticle.Published + `"}
]}`
}

func rdfFeed(base string) string {
	return `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="` + base + `/"><title>Fixture RDF</title><link>` + base + `/</link><description>RSS 1.0</description></channel>
<item rdf:about="` + base + ChargeArticle.Path + `"><title>` + ChargeArticle.Title + `</title><link>` + base + ChargeArticle.Path + `</link><dc:date>` + ChargeArticle.Published + `</dc:date><description>` + ChargeArticle.Paragraphs[0] + `</description></item>
</rdf:RDF>`
}

func listing(base string) string {
	return `<!DOCTYPE html><html><head><title>Politics</title><base href="` + base + `/articles/"></head><body>
<nav><a href="/">Home</a></nav>
<ul>
<li><a class="story" href="arrest.html">` + ArrestArticle.Title + `</a></li>
<li><a class="story" href="charge.html#comments">` + ChargeArticle.Title + `</a></li>
<li><a class="story" href="/private/secret.html">Embargoed</a></li>
<li><a class="story" href="javascript:void(0)">Not a link</a></li>
<li><a class="story" href="arrest.html?utm_campaign=x">Again</a></li>
</ul></body></html>`
}
