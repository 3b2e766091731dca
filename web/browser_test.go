package web

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// These tests drive a real headless Chromium through the UI on the demo
// corpus. Without a browser they skip locally but fail in CI (CI=true), where
// .ci/run installs one. Set WATCHLINE_SCREENSHOTS=DIR to save a screenshot
// of every page visited.

func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium, chromium-browser or google-chrome on PATH; the browser tests must run in CI")
	}
	t.Skip("no Chromium on PATH (apt-get install chromium); skipping browser tests")
	return ""
}

// browser starts a fresh headless Chromium for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// shot saves a full-page screenshot when WATCHLINE_SCREENSHOTS is set.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("WATCHLINE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustDo(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func mustRun[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// clickAndWait clicks sel and waits for the page it leads to.
func clickAndWait(t *testing.T, ctx context.Context, what string, sel chromedp.CSS) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp.Status >= 400 {
		t.Fatalf("%s: HTTP %d", what, resp.Status)
	}
}

// TestBrowser runs every browser flow against one demo server and one
// Chromium, each flow in its own tab.
func TestBrowser(t *testing.T) {
	bctx := browser(t)
	f, _ := loadDemo(t, testToken)
	// Start the browser before the flows so each flow's tab shares it.
	mustDo(t, bctx, "start browser", chromedp.Navigate("about:blank"))
	flows := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, f *fixture)
	}{
		{"search-facet-event-export", flowSearchFacetEventExport},
		{"create-subscription", flowCreateSubscription},
		{"document-versions", flowDocumentVersions},
		{"layout-desktop-and-phone", flowLayout},
	}
	for _, fl := range flows {
		t.Run(fl.name, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(bctx)
			defer cancel()
			fl.run(t, ctx, f)
		})
	}
}

func flowSearchFacetEventExport(t *testing.T, ctx context.Context, f *fixture) {

	mustDo(t, ctx, "open search", chromedp.Navigate(f.ts.URL+"/search"))
	mustDo(t, ctx, "type query", chromedp.SendKeys(chromedp.ID("q"), `"Christopher Cash"`))
	clickAndWait(t, ctx, "submit search", `form[role=search] .searchbar button`)
	shot(t, ctx, "search")
	marks := mustRun(t, ctx, "count highlights", chromedp.Evaluate[int](`document.querySelectorAll(".results mark").length`))
	if marks == 0 {
		t.Errorf("no highlighted terms in the snippets")
	}
	before := mustRun(t, ctx, "count hits", chromedp.Evaluate[int](`document.querySelectorAll(".results > li").length`))

	// Filter by the first source facet; the page reloads with fewer or equal hits.
	clickAndWait(t, ctx, "click source facet", `.facets ul li a`)
	loc := mustRun(t, ctx, "location", chromedp.Location())
	if !strings.Contains(loc, "source=") {
		t.Errorf("after the facet click the URL is %s, want a source= filter", loc)
	}
	after := mustRun(t, ctx, "count hits", chromedp.Evaluate[int](`document.querySelectorAll(".results > li").length`))
	current := mustRun(t, ctx, "active facet", chromedp.Evaluate[int](`document.querySelectorAll('.facets a[aria-current="true"]').length`))
	if after == 0 || after > before || current != 1 {
		t.Errorf("facet: %d hits before, %d after, %d active facets; want 0 < after <= before and one active", before, after, current)
	}
	shot(t, ctx, "search-facet")

	// A document page from the results, then the source health table.
	clickAndWait(t, ctx, "open document", `.results h3 a`)
	shot(t, ctx, "document")
	if h := mustRun(t, ctx, "document text", chromedp.Evaluate[int](`document.querySelectorAll(".document .body p").length`)); h == 0 {
		t.Errorf("the document page shows no text")
	}
	clickAndWait(t, ctx, "open sources", `nav a[href="/sources"]`)
	shot(t, ctx, "sources")
	if rows := mustRun(t, ctx, "source rows", chromedp.Evaluate[int](`document.querySelectorAll("table.health tbody tr").length`)); rows != len(demoConfig().Sources) {
		t.Errorf("source table has %d rows, want one per configured source (%d)", rows, len(demoConfig().Sources))
	}
	if top := mustRun(t, ctx, "top source", chromedp.Text(chromedp.CSS("table.health tbody tr code"))); top != demo.BrokenSource {
		t.Errorf("first row is %q, want the failing %s at the top", top, demo.BrokenSource)
	}

	// The timeline of the topic, then its first event.
	clickAndWait(t, ctx, "open timeline", `nav a[href="/timeline"]`)
	mustDo(t, ctx, "choose topic", chromedp.SetValue(chromedp.ID("topic"), "uk-china-spy-case"))
	clickAndWait(t, ctx, "show timeline", `form[aria-label] button[type=submit]`)
	shot(t, ctx, "timeline")
	bars := mustRun(t, ctx, "chart bars", chromedp.Evaluate[int](`document.querySelectorAll("svg.chart rect.bar").length`))
	if bars == 0 {
		t.Errorf("no bars in the events-per-month chart")
	}
	tljs := mustRun(t, ctx, "TimelineJS link", chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll(".exports a")).find(a => a.textContent.trim() === "TimelineJS").href`))

	clickAndWait(t, ctx, "open event", `.timeline h3 a`)
	shot(t, ctx, "event")
	title := mustRun(t, ctx, "event title", chromedp.Text(chromedp.CSS("h1")))
	sources := mustRun(t, ctx, "event sources", chromedp.Evaluate[int](`document.querySelectorAll(".sources-list li").length`))
	first := mustRun(t, ctx, "first report mark", chromedp.Evaluate[int](`document.querySelectorAll(".sources-list .badge.first").length`))
	if title == "" || sources == 0 || first != 1 {
		t.Errorf("event page: title %q, %d sources, %d first-report marks; want a title, sources and one first report", title, sources, first)
	}

	// Export TimelineJS as the browser would download it.
	body := mustRun(t, ctx, "fetch TimelineJS", chromedp.Evaluate[string](
		`(async () => { const r = await fetch(`+jsString(tljs)+`); return r.headers.get("Content-Type") + "\n" + r.headers.get("Content-Disposition") + "\n" + await r.text(); })()`,
		chromedp.EvalAwaitPromise))
	ct, rest, _ := strings.Cut(body, "\n")
	cd, doc, _ := strings.Cut(rest, "\n")
	var tl struct {
		Title  struct{ Text struct{ Headline string } }
		Events []struct {
			StartDate struct{ Year string } `json:"start_date"`
		}
	}
	if err := json.Unmarshal([]byte(doc), &tl); err != nil {
		t.Fatalf("TimelineJS export is not JSON: %v\n%.300s", err, doc)
	}
	if !strings.HasPrefix(ct, "application/json") || !strings.Contains(cd, ".timelinejs.json") || len(tl.Events) == 0 || tl.Events[0].StartDate.Year == "" {
		t.Errorf("TimelineJS export: type %q, disposition %q, %d events", ct, cd, len(tl.Events))
	}
}

func flowCreateSubscription(t *testing.T, ctx context.Context, f *fixture) {

	// Sign in with the token.
	mustDo(t, ctx, "open login", chromedp.Navigate(f.ts.URL+"/login?next=/subscriptions"))
	mustDo(t, ctx, "type token", chromedp.SendKeys(chromedp.ID("token"), testToken))
	clickAndWait(t, ctx, "sign in", `main form button[type=submit]`)
	if loc := mustRun(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/subscriptions") {
		t.Fatalf("after sign-in the browser is at %s, want /subscriptions", loc)
	}

	// Preview against the last 7 days, then create.
	mustDo(t, ctx, "fill form",
		chromedp.SendKeys(chromedp.ID("s-name"), "MI5 LinkedIn"),
		chromedp.SendKeys(chromedp.ID("s-query"), "LinkedIn AND MI5"),
	)
	clickAndWait(t, ctx, "test subscription", `button[value=test]`)
	shot(t, ctx, "subscriptions-preview")
	preview := mustRun(t, ctx, "preview", chromedp.Evaluate[int](`document.querySelectorAll(".preview .results a").length`))
	if preview == 0 {
		t.Errorf("the 7-day preview found nothing; the demo corpus has MI5 LinkedIn stories in that week")
	}
	// The form kept what was typed.
	if q := mustRun(t, ctx, "query kept", chromedp.Value(chromedp.ID("s-query"))); q != "LinkedIn AND MI5" {
		t.Errorf("query field after preview = %q", q)
	}
	clickAndWait(t, ctx, "create subscription", `button[value=create]`)
	shot(t, ctx, "subscriptions")
	listed := mustRun(t, ctx, "listed", chromedp.Evaluate[string](`document.querySelector("main table tbody").textContent`))
	if !strings.Contains(listed, "LinkedIn AND MI5") || !strings.Contains(listed, "MI5 LinkedIn") {
		t.Errorf("the new subscription is not listed: %q", listed)
	}
	atom := mustRun(t, ctx, "atom feed", chromedp.Evaluate[string](
		`(async () => { const a = document.querySelector("main table tbody a[href^='/atom/']"); const r = await fetch(a.href); return r.status + " " + r.headers.get("Content-Type"); })()`,
		chromedp.EvalAwaitPromise))
	if !strings.HasPrefix(atom, "200 application/atom+xml") {
		t.Errorf("Atom feed answered %q", atom)
	}

	// As an editor, an event page offers corrections.
	mustDo(t, ctx, "open event", chromedp.Navigate(f.ts.URL+"/events/1"))
	shot(t, ctx, "event-editor")
	if n := mustRun(t, ctx, "edit forms", chromedp.Evaluate[int](`document.querySelectorAll("section.edit form").length`)); n != 2 {
		t.Errorf("%d edit forms on the event page for an editor, want 2 (correct, merge)", n)
	}
}

func flowDocumentVersions(t *testing.T, ctx context.Context, f *fixture) {
	var id int64
	err := f.st.EachDocument(context.Background(), store.DocFilter{}, func(d model.Document) error {
		if d.Versions > 1 {
			id = d.ID
		}
		return nil
	})
	if err != nil || id == 0 {
		t.Fatalf("the demo corpus has no edited statement (err %v)", err)
	}
	mustDo(t, ctx, "open document", chromedp.Navigate(f.ts.URL+"/documents/"+strconv.FormatInt(id, 10)))
	shot(t, ctx, "document-versions")
	changes := mustRun(t, ctx, "diff", chromedp.Evaluate[int](`document.querySelectorAll(".diff ins, .diff del").length`))
	if changes == 0 {
		t.Errorf("the edited statement's page shows no changes between its versions")
	}
	// Each version is labelled with its own time.
	labels := mustRun(t, ctx, "version labels", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#from option")).map(o => o.textContent)`))
	if len(labels) != 2 || labels[0] == labels[1] || !strings.HasPrefix(labels[0], "v1 · seen ") {
		t.Errorf("version options %q; want two, each with its own time", labels)
	}
	// The document links to the event it reports.
	ev := mustRun(t, ctx, "event link", chromedp.Evaluate[string](`(document.querySelector(".doc-event a[href^='/events/']") || {}).textContent || ""`))
	if ev == "" {
		t.Errorf("the document page does not link to its event")
	}
}

// flowLayout looks at the pages as a desktop user (1,400 px) and a phone user
// (390 px) would: nothing scrolls sideways on the desktop, the timeline
// chart's counts are readable without hovering, and the event page names its
// main actors first.
func flowLayout(t *testing.T, ctx context.Context, f *fixture) {
	// A source whose error message is one long unbreakable URL.
	long := "fetch https://www.example.gov.uk/government/organisations/crown-prosecution-service/news/statements-and-releases/" +
		strings.Repeat("very-long-path-segment-", 12) + "?page=2&utm_source=rss: HTTP 403 Forbidden (the site refuses unknown bots)"
	err := f.st.SaveSourceHealth(context.Background(), model.SourceHealth{SourceID: demoConfig().Sources[0].ID,
		LastAttempt: demoNow, LastError: long, LastErrorAt: demoNow, ConsecutiveFailures: 3})
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, ctx, "desktop window", chromedp.EmulateViewport(1400, 900))
	mustDo(t, ctx, "open sources", chromedp.Navigate(f.ts.URL+"/sources"))
	shot(t, ctx, "sources-1400")
	overflow := mustRun(t, ctx, "sideways scroll", chromedp.Evaluate[[]int](
		`[document.documentElement.scrollWidth, window.innerWidth, document.querySelector(".table-wrap").scrollWidth, document.querySelector(".table-wrap").clientWidth]`))
	if overflow[0] > overflow[1] || overflow[2] > overflow[3] {
		t.Errorf("at 1,400 px the sources page is %d px wide in a %d px window, its table %d px in a %d px frame; want no sideways scrolling",
			overflow[0], overflow[1], overflow[2], overflow[3])
	}

	mustDo(t, ctx, "phone window", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	mustDo(t, ctx, "open timeline", chromedp.Navigate(f.ts.URL+"/timeline?topic=uk-china-spy-case"))
	shot(t, ctx, "timeline-phone")
	chart := mustRun(t, ctx, "chart labels", chromedp.Evaluate[[]float64](`(() => {
		const svg = document.querySelector("svg.chart"), counts = svg.querySelectorAll("text.count");
		const px = counts.length ? counts[0].getBoundingClientRect().height : 0;
		return [counts.length, svg.querySelectorAll("rect.bar").length, px, document.querySelectorAll("ul.months a").length,
			document.documentElement.scrollWidth, window.innerWidth];
	})()`))
	if chart[0] == 0 || chart[2] < 10 || chart[3] == 0 {
		t.Errorf("on a phone the chart shows %v counts %.1f px high and lists %v months; want every month's count readable without hover", chart[0], chart[2], chart[3])
	}
	if chart[4] > chart[5] {
		t.Errorf("on a phone the timeline page is %v px wide in a %v px window", chart[4], chart[5])
	}
	// A month's link narrows the timeline to that month.
	clickAndWait(t, ctx, "open a month", `ul.months a`)
	if loc := mustRun(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "from=") || !strings.Contains(loc, "to=") {
		t.Errorf("a month link leads to %s, want the timeline from and to that month", loc)
	}

	mustDo(t, ctx, "open event", chromedp.Navigate(f.ts.URL+"/events/1"))
	shot(t, ctx, "event-phone")
	actors := mustRun(t, ctx, "actors", chromedp.Evaluate[[]int](`(() => {
		const top = document.querySelectorAll(".actors > ol li"), all = document.querySelectorAll(".actors details li");
		return [top.length, all.length];
	})()`))
	if actors[0] == 0 || actors[0] > 6 || (actors[1] != 0 && actors[1] <= actors[0]) {
		t.Errorf("event page lists %d actors up front and %d behind \"all\"; want at most 6 first and the rest one click away", actors[0], actors[1])
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
