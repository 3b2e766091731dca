package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// ratios divides watchline's figures by each peer's: above 1 means watchline
// is larger (better for rates, worse for sizes and latencies).
func ratios(r *Result) []Ratio {
	var out []Ratio
	add := func(peer, fig string, w, o float64) {
		if o > 0 {
			out = append(out, Ratio{Peer: peer, Figure: fig, Watchline: w, Other: o, Ratio: w / o})
		}
	}
	for _, p := range r.Peers {
		add(p.Name, "index docs/s", r.Ingest.IndexDocsPerSec, p.IndexDocsPerSec)
		add(p.Name, "index bytes/doc", r.Ingest.IndexBytesPerDoc, p.BytesPerDoc)
		add(p.Name, "ingest end to end ÷ peer index docs/s", r.Ingest.EndToEndDocsPerSec, p.IndexDocsPerSec)
		for _, pl := range p.Search {
			// Watchline measured beside the peer when it was; else in its
			// own phase.
			wl, ok := findLatency(p.Beside, pl.Kind)
			if !ok {
				wl, ok = findLatency(r.Search, pl.Kind)
			}
			if ok {
				add(p.Name, pl.Kind+" p50 ms", wl.P50ms, pl.P50ms)
				add(p.Name, pl.Kind+" p99 ms", wl.P99ms, pl.P99ms)
			}
		}
	}
	return out
}

func findLatency(ls []Latency, kind string) (Latency, bool) {
	for _, l := range ls {
		if l.Kind == kind {
			return l, true
		}
	}
	return Latency{}, false
}

func findRatio(rs []Ratio, peer, fig string) (float64, bool) {
	for _, r := range rs {
		if r.Peer == peer && r.Figure == fig {
			return r.Ratio, true
		}
	}
	return 0, false
}

// figures are the headline numbers of a result, by name, for growth tables.
func figures(r Result) [][2]any {
	f := [][2]any{
		{"ingest end-to-end docs/s", r.Ingest.EndToEndDocsPerSec},
		{"ingest end-to-end seconds", r.Ingest.EndToEndSeconds},
		{"store docs/s", r.Ingest.StoreDocsPerSec},
		{"index docs/s", r.Ingest.IndexDocsPerSec},
		{"timeline docs/s", r.Ingest.TimelineDocsPerSec},
		{"peak RSS MiB (ingest)", mib(r.Ingest.PeakRSS)},
		{"store bytes/doc", r.Ingest.StoreBytesPerDoc},
		{"index bytes/doc", r.Ingest.IndexBytesPerDoc},
	}
	for _, l := range r.Search {
		f = append(f, [2]any{"search " + l.Kind + " p99 ms", l.P99ms})
	}
	if len(r.Export) > 0 {
		x := r.Export[len(r.Export)-1]
		f = append(f, [2]any{"export hits/s", x.HitsPerSec})
	}
	for _, a := range r.Alerts {
		f = append(f, [2]any{fmt.Sprintf("alerts docs/s @%d subs", a.Subscriptions), a.DocsPerSec})
	}
	for _, l := range r.Serve {
		f = append(f, [2]any{fmt.Sprintf("serve req/s @%d clients", l.Clients), l.RPS})
		f = append(f, [2]any{fmt.Sprintf("serve p99 ms @%d clients", l.Clients), l.P99ms})
	}
	f = append(f, [2]any{"peak RSS MiB (whole run)", mib(r.PeakRSS)})
	return f
}

func growth(runs []Result) []Growth {
	var out []Growth
	for i, f := range figures(runs[0]) {
		g := Growth{Figure: f[0].(string)}
		for _, r := range runs {
			fs := figures(r)
			if i < len(fs) && fs[i][0] == f[0] {
				g.Values = append(g.Values, fs[i][1].(float64))
			}
		}
		if len(g.Values) == len(runs) {
			out = append(out, g)
		}
	}
	return out
}

// targets judges the goals on one result: most are ratios against a
// peer measured in the same run, which hold on a shared machine where
// absolute figures swing with the neighbours' load.
func targets(r Result) []Target {
	var out []Target
	add := func(name, want, unit string, got float64, met bool) {
		out = append(out, Target{Name: name, Want: want, Got: got, Unit: unit, Met: met, At: r.Docs})
	}
	if x, ok := findRatio(r.Ratios, "bleve-default", "ingest end to end ÷ peer index docs/s"); ok {
		add("ingest end to end ÷ plain bleve indexing", ">= 1.5", "x", x, x >= 1.5)
	}
	for _, a := range r.Alerts {
		if a.Subscriptions == 1000 {
			add("alert matching @1000 broad subscriptions", ">= 1000", "docs/s", a.DocsPerSec, a.DocsPerSec >= 1000)
		}
	}
	if x, ok := findRatio(r.Ratios, "bleve-default", kindTerm+" p50 ms"); ok {
		add("term page p50 ÷ bleve page (stored fields, highlight)", "<= 1.2", "x", x, x <= 1.2)
	}
	if x, ok := findRatio(r.Ratios, "sqlite-fts5", kindTerm+" p50 ms"); ok {
		add("term page p50 ÷ FTS5 page (columns, snippet())", "<= 1.5", "x", x, x <= 1.5)
	}
	if x, ok := findRatio(r.Ratios, "sqlite-fts5", kindDeep+" p50 ms"); ok {
		add("deep page p50 ÷ FTS5 deep page", "<= 1", "x", x, x <= 1)
	}
	if x, ok := findRatio(r.Ratios, "bleve-default", kindFacets+" p99 ms"); ok {
		add("all facets p99 ÷ plain bleve facets", "<= 2", "x", x, x <= 2)
	}
	if x, ok := findRatio(r.Ratios, "bleve-default", "index bytes/doc"); ok {
		add("index size ÷ plain bleve", "<= 0.5", "x", x, x <= 0.5)
	}
	add("peak RSS during ingest", "<= 1024", "MiB", mib(r.Ingest.PeakRSS), r.Ingest.PeakRSS <= 1<<30)
	if r.Extract.Pages > 0 {
		add("extraction, one core, ~30 KB pages", ">= 90", "pages/s", r.Extract.PagesPerSec, r.Extract.PagesPerSec >= 90)
	}
	if len(r.Export) == 2 && r.Export[0].Hits > 0 {
		// Flat: ten times the hits may not need much more heap than a tenth.
		small, big := r.Export[0].HeapGrowth, r.Export[1].HeapGrowth
		got := mib(big)
		add(fmt.Sprintf("export heap growth, %d hits (vs %.1f MiB at %d)", r.Export[1].Hits, mib(small), r.Export[0].Hits),
			"flat (<= 2x the small export + 16 MiB)", "MiB", got, big <= 2*small+16<<20)
	}
	if len(r.Serve) > 0 {
		most, one := r.Serve[len(r.Serve)-1], r.Serve[0]
		add(fmt.Sprintf("serve @%d clients: requests/s", most.Clients), ">= 300", "req/s", most.RPS, most.RPS >= 300)
		add(fmt.Sprintf("serve @%d clients: p99", most.Clients), "<= 250", "ms", most.P99ms, most.P99ms <= 250)
		add(fmt.Sprintf("serve @%d clients: errors", most.Clients), "0", "", float64(most.Errors), most.Errors == 0)
		if one.RPS > 0 {
			x := most.RPS / one.RPS
			add(fmt.Sprintf("serve requests/s @%d ÷ @%d client (no collapse)", most.Clients, one.Clients), ">= 1", "x", x, x >= 1)
		}
	}
	return out
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteTable writes the report as tables for people.
func (rep *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	m := rep.Machine
	fmt.Fprintf(tw, "watchline bench — %s, %d CPUs (GOMAXPROCS %d), %.1f GiB, %s %s/%s, load %.2f at start\n",
		orDash(m.CPUModel), m.CPUs, m.GOMAXPROCS, float64(m.Memory)/(1<<30), m.GoVersion, m.OS, m.Arch, m.LoadAverage)
	fmt.Fprintf(tw, "seed %d, %d reps, %d queries per kind, took %.0f s\n", rep.Config.Seed, rep.Config.Reps, rep.Config.Queries, rep.Seconds)
	for _, r := range rep.Runs {
		writeResult(tw, r)
	}
	if len(rep.Growth) > 0 {
		fmt.Fprintf(tw, "\fGROWTH\tfigure")
		for _, r := range rep.Runs {
			fmt.Fprintf(tw, "\t%d docs", r.Docs)
		}
		fmt.Fprintf(tw, "\tlast ÷ first\n")
		for _, g := range rep.Growth {
			fmt.Fprintf(tw, "\t%s", g.Figure)
			for _, v := range g.Values {
				fmt.Fprintf(tw, "\t%s", num(v))
			}
			if g.Values[0] != 0 {
				fmt.Fprintf(tw, "\t%.2fx", g.Values[len(g.Values)-1]/g.Values[0])
			}
			fmt.Fprintln(tw)
		}
	}
	if len(rep.Targets) > 0 {
		fmt.Fprintf(tw, "\fTARGETS (at %d docs)\tgoal\twant\tgot\tmet\n", rep.Targets[0].At)
		for _, t := range rep.Targets {
			met := "no"
			if t.Met {
				met = "yes"
			}
			fmt.Fprintf(tw, "\t%s\t%s %s\t%s %s\t%s\n", t.Name, t.Want, t.Unit, num(t.Got), t.Unit, met)
		}
	}
	return tw.Flush()
}

func writeResult(tw io.Writer, r Result) {
	in := r.Ingest
	fmt.Fprintf(tw, "\f== %d documents ==\f", r.Docs)
	fmt.Fprintf(tw, "INGEST\tpipelined: stored in batches of %d while indexed, clustered and matched (%d subscriptions)\tdocs/s\tbusy s\n", storeBatch, in.Subscriptions)
	fmt.Fprintf(tw, "\tstore (the writer)\t%s\t%s\n", num(in.StoreDocsPerSec), num(in.StoreSeconds))
	fmt.Fprintf(tw, "\tindex\t%s\t%s\n", num(in.IndexDocsPerSec), num(in.IndexSeconds))
	partial := ""
	if in.TimelinePartial {
		partial = fmt.Sprintf(", budget ran out after %d docs", in.TimelineDocs)
	}
	fmt.Fprintf(tw, "\ttimeline (%d events%s)\t%s\t%s\n", in.Events, partial, num(in.TimelineDocsPerSec), num(in.TimelineSeconds))
	fmt.Fprintf(tw, "\talerts (%d matches)\t\t%s\n", in.AlertMatches, num(in.AlertSeconds))
	fmt.Fprintf(tw, "\tend to end\t%s\t%s wall\n", num(in.EndToEndDocsPerSec), num(in.EndToEndSeconds))
	fmt.Fprintf(tw, "\tpeak RSS %s MiB (anonymous %s, mapped files %s), peak heap %s MiB (live %s); store %s B/doc, index %s B/doc\n",
		num(mib(in.PeakRSS)), num(mib(in.PeakAnon)), num(mib(in.PeakFile)), num(mib(in.PeakHeap)), num(mib(in.PeakLive)), num(in.StoreBytesPerDoc), num(in.IndexBytesPerDoc))

	fmt.Fprintf(tw, "\fSEARCH\tkind\tp50 ms\tp95 ms\tp99 ms\tqps\tavg hits\n")
	writeLatencies(tw, "watchline", r.Search)
	for _, p := range r.Peers {
		writeLatencies(tw, p.Name, p.Search)
	}
	fmt.Fprintf(tw, "\fEXPORT\tNDJSON via index.Each\thits\tseconds\thits/s\tMiB\theap growth MiB\n")
	for _, x := range r.Export {
		fmt.Fprintf(tw, "\t\t%d\t%s\t%s\t%s\t%s\n", x.Hits, num(x.Seconds), num(x.HitsPerSec), num(mib(x.Bytes)), num(mib(x.HeapGrowth)))
	}
	fmt.Fprintf(tw, "\fTIMELINE\ttopic %q, %d events\tformat\tms\tKiB\n", r.Timeline.Topic, r.Timeline.Events)
	for _, f := range r.Timeline.Formats {
		fmt.Fprintf(tw, "\t\t%s\t%s\t%s\n", f.Format, num(f.Ms), num(float64(f.Bytes)/1024))
	}
	fmt.Fprintf(tw, "\fALERTS\tsubscriptions\tnew docs\tseconds\tdocs/s\tmatches\n")
	for _, a := range r.Alerts {
		fmt.Fprintf(tw, "\t%d\t%d\t%s\t%s\t%d\n", a.Subscriptions, a.Docs, num(a.Seconds), num(a.DocsPerSec), a.Matches)
	}
	if len(r.Serve) > 0 {
		fmt.Fprintf(tw, "\fSERVE\tclients\trequests\terrors\treq/s\tp50 ms\tp99 ms\tsearch p50/p99\ttimeline p50/p99\tevent p50/p99\n")
		for _, l := range r.Serve {
			fmt.Fprintf(tw, "\t%d\t%d\t%d\t%s\t%s\t%s", l.Clients, l.Requests, l.Errors, num(l.RPS), num(l.P50ms), num(l.P99ms))
			for _, k := range l.Kinds {
				fmt.Fprintf(tw, "\t%s / %s", num(k.P50ms), num(k.P99ms))
			}
			fmt.Fprintln(tw)
		}
	}
	if r.Crawl.Pages > 0 {
		fmt.Fprintf(tw, "\fCRAWL\tloopback pages\tfetched\tstored\tseconds\tpages/s\n")
		fmt.Fprintf(tw, "\t%d\t%d\t%d\t%s\t%s\n", r.Crawl.Pages, r.Crawl.Fetched, r.Crawl.Stored, num(r.Crawl.Seconds), num(r.Crawl.PagesPerSec))
	}
	if r.Extract.Pages > 0 {
		x := r.Extract
		fmt.Fprintf(tw, "\fEXTRACT\tpages (avg KiB)\tpages/s, one core\tgo-trafilatura alone\tratio\n")
		fmt.Fprintf(tw, "\t%d (%s)\t%s\t%s\t%.2fx\n", x.Pages, num(float64(x.AvgBytes)/1024), num(x.PagesPerSec), num(x.PeerPagesPerSec), x.PagesPerSec/max(x.PeerPagesPerSec, 1e-9))
	}
	if len(r.Peers) > 0 {
		fmt.Fprintf(tw, "\fPEERS\tpeer\tindex docs/s\tbytes/doc\n")
		for _, p := range r.Peers {
			fmt.Fprintf(tw, "\t%s\t%s\t%s\n", p.Name, num(p.IndexDocsPerSec), num(p.BytesPerDoc))
		}
		fmt.Fprintf(tw, "\fRATIOS\twatchline ÷ peer (latencies: the two engines alternating query by query)\tfigure\twatchline\tpeer\tratio\n")
		for _, x := range r.Ratios {
			fmt.Fprintf(tw, "\t%s\t%s\t%s\t%s\t%.2fx\n", x.Peer, x.Figure, num(x.Watchline), num(x.Other), x.Ratio)
		}
	}
	fmt.Fprintf(tw, "\f\tpeak RSS over the whole run of this size: %s MiB\n", num(mib(r.PeakRSS)))
}

func writeLatencies(tw io.Writer, who string, ls []Latency) {
	for _, l := range ls {
		fmt.Fprintf(tw, "\t%s %s\t%s\t%s\t%s\t%s\t%s\n", who, l.Kind, num(l.P50ms), num(l.P95ms), num(l.P99ms), num(l.QPS), num(l.AvgHits))
	}
}

// num prints a figure with about three significant digits.
func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100 || v <= -100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10 || v <= -10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1 || v <= -1:
		return fmt.Sprintf("%.2f", v)
	}
	return strings.TrimRight(fmt.Sprintf("%.3f", v), "0")
}

func orDash(s string) string {
	if s == "" {
		return "unknown CPU"
	}
	return s
}
