package extract

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestParseTextDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // YYYY-MM-DD, "" for none
	}{
		{"Published 22 April 2024", "2024-04-22"},
		{"22nd April 2024", "2024-04-22"},
		{"Tuesday 1 October 2025, 10.30 BST", "2025-10-01"},
		{"April 22, 2024", "2024-04-22"},
		{"Sept. 3, 2025", "2025-09-03"},
		{"3 Sep 2025", "2025-09-03"},
		{"Publié le 1er mars 2024 à 10h15", "2024-03-01"},
		{"mis à jour le 9 octobre 2025", "2025-10-09"},
		{"Veröffentlicht am 18. November 2025", "2025-11-18"},
		{"am 3. März 2025", "2025-03-03"},
		{"22 de abril de 2024", "2024-04-22"},
		{"22 aprile 2024", "2024-04-22"},
		{"2025年10月15日 来源：本站", "2025-10-15"},
		{"2024-04-22", "2024-04-22"},
		{"22.04.2024", "2024-04-22"},
		{"22/04/2024", "2024-04-22"},
		{"04/22/2024", "2024-04-22"},
		{"04/05/2024 is ambiguous", ""},
		{"31 April 2024", ""},
		{"© 2024 Example Media", ""},
		{"April 2024", ""},
		{"the 1911 Act", ""},
		{"Posted 10 September 2023, updated 11 September 2023", "2023-09-10"},
		{"الأربعاء، 07 أكتوبر 2020 - 12:09 م", "2020-10-07"},
		{"١٥ أكتوبر ٢٠٢٥", "2025-10-15"},
		{"12 تشرين الثاني 2019", "2019-11-12"},
		{"۱۵ دسامبر ۲۰۲۰", "2020-12-15"},
		{"۱۵ دی ۱۳۹۹", ""}, // the Solar Hijri calendar is not read
		{"7 Οκτωβρίου 2020", "2020-10-07"},
		{"7. října 2020", "2020-10-07"},
		{"2020. október 7.", "2020-10-07"},
		{"12 अक्टूबर 2020", "2020-10-12"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseTextDate(tt.in)
			gotS := ""
			if ok {
				gotS = got.Format("2006-01-02")
				if got.Location() != time.UTC || got.Hour() != 0 {
					t.Errorf("date %v is not midnight UTC", got)
				}
			}
			if gotS != tt.want {
				t.Errorf("parseTextDate(%q) = %q, want %q", tt.in, gotS, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339, "" for none
	}{
		{"2025-10-15T09:30:00+01:00", "2025-10-15T09:30:00+01:00"},
		{"2025-10-15T09:30:00.123Z", "2025-10-15T09:30:00Z"},
		{"2025-10-15T09:30:00+0100", "2025-10-15T09:30:00+01:00"},
		{"2025-10-15T09:30:00", "2025-10-15T09:30:00Z"},
		{"2025-10-15 09:30:00", "2025-10-15T09:30:00Z"},
		{"2025-10-15", "2025-10-15T00:00:00Z"},
		{"20251015", "2025-10-15T00:00:00Z"},
		{"Wed, 15 Oct 2025 09:30:00 +0100", "2025-10-15T09:30:00+01:00"},
		{" 2025-10-15T09:30Z ", "2025-10-15T09:30:00Z"},
		{"yesterday", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseDate(tt.in)
			gotS := ""
			if ok {
				gotS = got.Format(time.RFC3339)
			}
			if gotS != tt.want {
				t.Errorf("parseDate(%q) = %q, want %q", tt.in, gotS, tt.want)
			}
		})
	}
}

func TestURLDate(t *testing.T) {
	tests := []struct {
		in        string
		want      string
		monthOnly bool
	}{
		{"https://example.com/uk/2024/04/22/two-charged", "2024-04-22", false},
		{"https://example.com/2024/4/2/x", "2024-04-02", false},
		{"https://example.com/news/2024-04-22-two-charged", "2024-04-22", false},
		{"https://example.com/news/20240422/two-charged", "2024-04-22", false},
		{"https://example.com/politics/2025/07/", "2025-07-01", true},
		{"https://example.com/story/2024/13/45/x", "", false},
		{"https://example.com/story/12345678", "", false},
		{"https://example.com/about", "", false},
		{"https://example.com/a?date=2024/04/22", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, monthOnly, ok := urlDate(tt.in)
			gotS := ""
			if ok {
				gotS = got.Format("2006-01-02")
			}
			if gotS != tt.want || monthOnly != tt.monthOnly {
				t.Errorf("urlDate(%q) = %q monthOnly=%v, want %q monthOnly=%v", tt.in, gotS, monthOnly, tt.want, tt.monthOnly)
			}
		})
	}
}

// TestDateCases runs small pages through HTML, one trap each.
func TestDateCases(t *testing.T) {
	body := func(s string) string {
		return s + "<p>This paragraph is long enough to count as the text of an article, and it says nothing about when it was written.</p>" +
			"<p>A second paragraph makes sure the extractor has more than one block of real sentences to work with.</p>"
	}
	tests := []struct {
		name    string
		page    string
		url     string
		feed    time.Time
		want    string // RFC 3339, "" for zero
		src     DateSource
		conf    float64
		wantMod string
	}{
		{
			// Strong evidence that disagrees brings go-htmldate in as a third
			// opinion; it reads meta tags before JSON-LD.
			name: "json-ld and meta disagree: go-htmldate decides",
			page: `<html><head><script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2025-01-02T03:04:05Z"}</script>
<meta property="article:published_time" content="2025-01-03T00:00:00Z"></head><body><article><h1>T</h1><time datetime="2025-01-04">x</time>` + body("") + `</article></body></html>`,
			want: "2025-01-03T00:00:00Z", src: SourceMeta, conf: 0.95,
		},
		{
			name: "json-ld comment dates ignored",
			page: `<html><head><script type="application/ld+json">{"@type":"WebPage","comment":[{"@type":"Comment","datePublished":"2025-05-05"}]}</script></head><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			want: "", src: "",
		},
		{
			name: "json-ld array with article",
			page: `<html><head><script type="application/ld+json">[{"@type":"Organization","name":"x"},{"@type":["Article","NewsArticle"],"datePublished":"2025-02-03","dateModified":"2025-02-05"}]</script></head><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			want: "2025-02-03T00:00:00Z", src: SourceJSONLD, conf: 0.95, wantMod: "2025-02-05T00:00:00Z",
		},
		{
			name: "broken json-ld falls through to meta",
			page: `<html><head><script type="application/ld+json">{"@type":"NewsArticle","datePublished":</script><meta name="pubdate" content="2025-03-04"></head><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			want: "2025-03-04T00:00:00Z", src: SourceMeta, conf: 0.9,
		},
		{
			name: "meta pre-1995 rejected",
			page: `<html><head><meta property="article:published_time" content="1970-01-01T00:00:00Z"></head><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			want: "", src: "",
		},
		{
			name: "future meta rejected, url used",
			page: `<html><head><meta property="article:published_time" content="2030-01-01T00:00:00Z"></head><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			url:  "https://example.com/2025/06/07/x",
			want: "2025-06-07T00:00:00Z", src: SourceURL, conf: 0.8,
		},
		{
			name: "one day ahead is accepted",
			page: `<html><head><meta property="article:published_time" content="2026-01-01T20:00:00Z"></head><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			want: "2026-01-01T20:00:00Z", src: SourceMeta, conf: 0.9,
		},
		{
			// The URL is what readers see and CMSs rarely rewrite; go-htmldate,
			// asked about the conflict, only repeats it (it reads full URL
			// dates first), so it adds no vote. The conflict costs confidence.
			name: "meta and url disagree: url kept, confidence lowered",
			page: `<html><head><meta property="article:published_time" content="2025-03-01T00:00:00Z"></head><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			url:  "https://example.com/2024/11/30/x",
			want: "2024-11-30T00:00:00Z", src: SourceURL, conf: 0.7,
		},
		{
			name: "meta and url agree within days: no penalty",
			page: `<html><head><meta property="article:published_time" content="2025-03-01T23:00:00-05:00"></head><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			url:  "https://example.com/2025/03/02/x",
			want: "2025-03-01T23:00:00-05:00", src: SourceMeta, conf: 0.9,
		},
		{
			name: "feed disagrees: small penalty",
			page: `<html><head><meta property="article:published_time" content="2025-03-01T00:00:00Z"></head><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			feed: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC),
			want: "2025-03-01T00:00:00Z", src: SourceMeta, conf: 0.8,
		},
		{
			name: "month-only url loses to byline text",
			page: `<html><body><article><h1>T</h1><p>By A. Writer, 9 July 2025</p>` + body("") + `</article></body></html>`,
			url:  "https://example.com/2025/07/story",
			want: "2025-07-09T00:00:00Z", src: SourceText, conf: 0.6,
		},
		{
			name: "url day takes the time of an agreeing <time>",
			page: `<html><body><article><h1>T</h1><time datetime="2024-04-22T17:10:00+01:00">22 April</time>` + body("") + `</article></body></html>`,
			url:  "https://example.com/2024/04/22/x",
			want: "2024-04-22T17:10:00+01:00", src: SourceURL, conf: 0.85,
		},
		{
			name: "url day takes the time of an agreeing feed date",
			page: `<html><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			url:  "https://example.com/2024/04/22/x",
			feed: time.Date(2024, 4, 22, 9, 30, 0, 0, time.UTC),
			want: "2024-04-22T09:30:00Z", src: SourceURL, conf: 0.85,
		},
		{
			name: "url day keeps midnight when the feed is another day",
			page: `<html><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			url:  "https://example.com/2024/04/22/x",
			feed: time.Date(2024, 4, 25, 9, 30, 0, 0, time.UTC),
			want: "2024-04-22T00:00:00Z", src: SourceURL, conf: 0.7, // the feed disagrees
		},
		{
			name: "month-only url alone",
			page: `<html><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			url:  "https://example.com/2025/07/story",
			want: "2025-07-01T00:00:00Z", src: SourceURL, conf: 0.55,
		},
		{
			name: "only an updated time: an upper bound from 'updated'",
			page: `<html><body><article><h1>T</h1><p>Updated <time datetime="2025-08-09T10:00:00Z">9 Aug</time></p>` + body("") + `</article></body></html>`,
			want: "2025-08-09T10:00:00Z", src: SourceUpdated, conf: 0.3, wantMod: "2025-08-09T10:00:00Z",
		},
		{
			name: "dateModified time after published time",
			page: `<html><body><article><h1>T</h1><time itemprop="datePublished" datetime="2025-08-01">1 Aug</time> <time itemprop="dateModified" datetime="2025-08-02">2 Aug</time>` + body("") + `</article></body></html>`,
			want: "2025-08-01T00:00:00Z", src: SourceTime, conf: 0.85, wantMod: "2025-08-02T00:00:00Z",
		},
		{
			name: "modified equal to published is dropped",
			page: `<html><head><script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2025-02-03T10:00:00Z","dateModified":"2025-02-03T10:00:00Z"}</script></head><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			want: "2025-02-03T10:00:00Z", src: SourceJSONLD, conf: 0.95,
		},
		{
			name: "time in aside ignored, time in article used",
			page: `<html><body><aside><time datetime="2025-09-09">x</time></aside><article><h1>T</h1><p><time datetime="2025-09-01">1 Sep</time></p>` + body("") + `</article></body></html>`,
			want: "2025-09-01T00:00:00Z", src: SourceTime, conf: 0.75, // go-htmldate agrees
		},
		{
			name: "date in a lead sentence is not a byline",
			page: `<html><body><article><h1>T</h1>` + body(`<p>On 3 March 2023 police officers arrested two men at addresses in Oxfordshire and Edinburgh, and a long inquiry began that would take over a year to reach court.</p>`) + `</article></body></html>`,
			want: "", src: "",
		},
		{
			name: "wordpress published updated class is publication",
			page: `<html><body><article><h1>T</h1><span class="posted-on"><time class="entry-date published updated" datetime="2025-08-03T10:00:00+00:00">3 Aug</time></span>` + body("") + `</article></body></html>`,
			want: "2025-08-03T10:00:00Z", src: SourceTime, conf: 0.85,
		},
		{
			name: "published label before an unmarked time",
			page: `<html><body><article><h1>T</h1><p>Published: <time datetime="2025-08-04">4 Aug</time> | Updated: <time datetime="2025-08-05">5 Aug</time></p>` + body("") + `</article></body></html>`,
			want: "2025-08-04T00:00:00Z", src: SourceTime, conf: 0.85, wantMod: "2025-08-05T00:00:00Z",
		},
		{
			name: "label and value in separate blocks",
			page: `<html><body><main><h1>T</h1><dl><dt>Published</dt><dd>17 October 2025</dd><dt>Last updated</dt><dd>22 October 2025</dd></dl>` + body("") + `</main></body></html>`,
			want: "2025-10-17T00:00:00Z", src: SourceText, conf: 0.6, wantMod: "2025-10-22T00:00:00Z",
		},
		{
			name: "feed date alone",
			page: `<html><body><article><h1>T</h1>` + body("") + `</article></body></html>`,
			feed: time.Date(2025, 4, 5, 6, 7, 8, 0, time.UTC),
			want: "2025-04-05T06:07:08Z", src: SourceFeed, conf: 0.5,
		},
		{
			name: "labelled date below the article, updated label read",
			page: `<html><body><main><h1>T</h1>` + body("") + `</main><div class="rez-footer"><p>Letzte Änderung: 31.10.2023<br>Erschienen am: 01.11.2023</p></div></body></html>`,
			want: "2023-11-01T00:00:00Z", src: SourceText, conf: 0.6, // the earlier "modified" date is dropped
		},
		{
			name: "postmetadata sentence after a long article",
			page: `<html><body><div class="post"><h1>T</h1>` + body("") + `<p class="postmetadata">This entry was posted on Saturday, December 3rd, 2011 at 10:02 am and is filed under News. You can follow any responses to this entry through the RSS 2.0 feed. Both comments and pings are currently closed, and you can leave no trackback from your own site, which is a long enough sentence.</p></div></body></html>`,
			want: "2011-12-03T00:00:00Z", src: SourceText, conf: 0.6,
		},
		{
			name: "labelled dates in comments and embedded posts ignored",
			page: `<html><body><main><h1>T</h1>` + body(`<blockquote class="twitter-tweet"><p>Posted on 4 May 2021</p><time datetime="2021-05-04">4 May</time></blockquote>`) + `</main><div class="comments"><p>Posted on 5 May 2021 by a reader</p></div></body></html>`,
			want: "", src: "",
		},
		{
			name: "short sentence under the headline is body, not byline",
			page: `<html><head><meta property="article:published_time" content="2023-11-02T20:13:00Z"></head><body><article><h1>T</h1><p>The former premier died on 27 October 2023 in Shanghai, aged 68.</p>` + body("") + `</article></body></html>`,
			want: "2023-11-02T20:13:00Z", src: SourceMeta, conf: 0.9,
		},
		{
			name: "forum registration date is not the post's",
			page: `<html><body><main><h1>T</h1><dl><dd>Registered: 18.09.2008, 05:56</dd></dl><p>Posted 21.01.2009, 05:42</p>` + body("") + `</main></body></html>`,
			want: "2009-01-21T00:00:00Z", src: SourceText, conf: 0.6,
		},
		{
			// A box whose class says "banner" or "teaser" but which holds
			// the headline is the article's own container, not a box of
			// other stories: its byline counts.
			name: "byline inside a noise-classed box that holds the headline",
			page: `<html><body><div class="page-wide-banner-slot"><article><h1>T</h1><p>Von Anna Muster, 14.03.2024</p>` + body("") + `</article></div></body></html>`,
			want: "2024-03-14T00:00:00Z", src: SourceText, conf: 0.6,
		},
		{
			// The only date the page shows is its "updated" byline; the
			// first version's date is only in the metadata.
			name: "only an updated byline is shown: it outvotes metadata",
			page: `<html><head><script type="application/ld+json">{"@type":"Article","datePublished":"2019-02-01T08:00:00Z"}</script></head><body><article><h1>T</h1><div class="stamp">Updated March 12, 2024</div>` + body("") + `</article></body></html>`,
			want: "2024-03-12T00:00:00Z", src: SourceText, conf: 0.5,
		},
		{
			name: "published and updated bylines shown: the published one",
			page: `<html><head><script type="application/ld+json">{"@type":"Article","datePublished":"2019-02-01T08:00:00Z"}</script></head><body><article><h1>T</h1><div class="stamp">Published February 1, 2019. Updated March 12, 2024</div>` + body("") + `</article></body></html>`,
			want: "2019-02-01T08:00:00Z", src: SourceJSONLD, conf: 0.98, wantMod: "2024-03-12T00:00:00Z",
		},
		{
			name: "masthead date before the headline ignored",
			page: `<html><body><div class="site-header">Wednesday 31 December 2025</div><main><h1>T</h1>` + body("") + `</main></body></html>`,
			want: "", src: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			art, err := HTML(context.Background(), []byte(tt.page), "text/html", Options{URL: tt.url, FeedDate: tt.feed, now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if !art.Published.IsZero() {
				got = art.Published.Format(time.RFC3339)
			}
			if tt.want == "" && art.PublishedSource == SourceHTMLDate && art.PublishedConfidence <= confHTMLDate {
				// Our own layer rejects the trap; go-htmldate's whole-page
				// guess may still give a date, at its low confidence.
				got = ""
			}
			if got != tt.want || (got != "" && (art.PublishedSource != tt.src || art.PublishedConfidence != tt.conf)) {
				t.Errorf("Published = %q from %q (%.2f), want %q from %q (%.2f)", got, art.PublishedSource, art.PublishedConfidence, tt.want, tt.src, tt.conf)
			}
			gotMod := ""
			if !art.Modified.IsZero() {
				gotMod = art.Modified.Format(time.RFC3339)
			}
			if gotMod != tt.wantMod {
				t.Errorf("Modified = %q, want %q", gotMod, tt.wantMod)
			}
		})
	}
}

// FuzzMentionsUpdate: the prefiltered update label search answers as
// rxUpdated does.
func FuzzMentionsUpdate(f *testing.F) {
	if updateFilter.Need == nil {
		f.Fatal("no literals derived from rxUpdated: every text would run the regexp")
	}
	for _, s := range []string{"", "Last UPDATED 3 May", "Mis  À jour le", "GEÄNDERT am", "Letzte Änderung:", "Stand: 4.3.", "ОБНОВЛЕНО", "обноᲀлено", "reviſed", "更新时间", "Actualizado el", "Posted by Jane in World News on", "x\xffupdated"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2000 {
			// The labels and blocks it reads are short; the regexp's
			// backtracking on long inputs would only slow the fuzzer.
			return
		}
		if got, want := mentionsUpdate(s), rxUpdated.MatchString(s); got != want {
			t.Fatalf("mentionsUpdate(%q) = %v, rxUpdated says %v", s, got, want)
		}
		if got, want := updateLocs(s, 4), rxUpdated.FindAllStringIndex(s, 4); !reflect.DeepEqual(got, want) {
			t.Fatalf("updateLocs(%q) = %v, rxUpdated says %v", s, got, want)
		}
	})
}
