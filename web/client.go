package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/timeline"
)

// serverFile is where a serving process records its address in the data
// directory, so that commands run beside it (`watchline search` while
// `watchline serve` holds the index) can ask it instead of waiting for a lock
// they cannot get.
const serverFile = "server.json"

type serverInfo struct {
	URL     string    `json:"url"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
}

// recordServer writes dir/server.json for a server listening on addr and
// returns a function that removes it again, unless another server has
// replaced it since.
func recordServer(dir string, addr net.Addr, now time.Time) (remove func(), err error) {
	u := serverURL(addr)
	b, err := json.Marshal(serverInfo{URL: u, PID: os.Getpid(), Started: now.UTC()})
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, serverFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("record the server's address: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("record the server's address: %w", err)
	}
	return func() {
		if cur, err := os.ReadFile(path); err == nil && string(cur) == string(append(b, '\n')) {
			os.Remove(path)
		}
	}, nil
}

// serverURL is the URL a client on this machine reaches addr at: a server
// listening on every address (0.0.0.0, [::]) is reached over loopback.
func serverURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// RunningServer returns a client for the watchline server that serves data
// directory dir, if one has recorded its address there and answers its
// health check. A record left by a process that died is ignored.
func RunningServer(ctx context.Context, dir string) (*Client, bool) {
	b, err := os.ReadFile(filepath.Join(dir, serverFile))
	if err != nil {
		return nil, false
	}
	var info serverInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return nil, false
	}
	u, err := url.Parse(info.URL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, false
	}
	c := NewClient(info.URL)
	hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(hctx, http.MethodGet, c.base+"healthz", nil)
	if err != nil {
		return nil, false
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, false
	}
	resp.Body.Close()
	return c, resp.StatusCode == http.StatusOK
}

// Client reads from a running watchline server's JSON API. It answers
// searches and timelines the way the index and the timeline package answer
// them in-process, so a command can use either.
type Client struct {
	base string // ends in "/"
	hc   *http.Client
}

// NewClient returns a client for the server at baseURL.
func NewClient(baseURL string) *Client {
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	return &Client{base: baseURL, hc: &http.Client{Timeout: 5 * time.Minute}}
}

// URL is the server's address.
func (c *Client) URL() string { return c.base }

// get requests path with params and returns the response, or the API's
// error message as an error.
func (c *Client) get(ctx context.Context, path string, params url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path+"?"+params.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask the running server at %s: %w", c.base, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	var e apiError
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &e) != nil || e.Error == "" {
		e.Error = strings.TrimSpace(string(b))
	}
	return nil, fmt.Errorf("the running server at %s answered %d: %s", c.base, resp.StatusCode, e.Error)
}

// searchParams writes r as /api/search parameters (searchRequest reads them).
func searchParams(r index.Request) url.Values {
	p := url.Values{"q": {r.Query}}
	if !r.From.IsZero() {
		p.Set("from", r.From.UTC().Format(time.RFC3339))
	}
	if !r.To.IsZero() {
		p.Set("to", r.To.UTC().Format(time.RFC3339))
	}
	p["source"], p["tag"], p["lang"], p["type"] = r.Sources, r.Tags, r.Languages, r.Types
	if r.Official {
		p.Set("official", "true")
	}
	if r.Sort != "" {
		p.Set("sort", r.Sort)
	}
	if r.NoCollapse {
		p.Set("all", "1")
	}
	return p
}

// Search runs r on the server: one page of hits (r.Limit, fetched in pages of
// at most the server's page size) and the facets.
func (c *Client) Search(ctx context.Context, r index.Request) (*index.Result, error) {
	limit := r.Limit
	if limit <= 0 {
		limit = index.DefaultLimit
	}
	var res *index.Result
	for offset := r.Offset; ; {
		p := searchParams(r)
		n := min(limit-(offset-r.Offset), maxPageSize)
		p.Set("limit", strconv.Itoa(n))
		p.Set("offset", strconv.Itoa(offset))
		resp, err := c.get(ctx, "api/search", p)
		if err != nil {
			return nil, err
		}
		var page index.Result
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read the running server's search answer: %w", err)
		}
		if res == nil {
			res = &page
		} else {
			res.Hits = append(res.Hits, page.Hits...)
		}
		offset += len(page.Hits)
		if len(page.Hits) < n || offset-r.Offset >= limit {
			return res, nil
		}
	}
}

// Each streams every hit of r from the server's export, skipping r.Offset.
func (c *Client) Each(ctx context.Context, r index.Request, fn func(index.Hit) error) error {
	p := searchParams(r)
	p.Set("format", "ndjson")
	resp, err := c.get(ctx, "api/search/export", p)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 0; sc.Scan(); n++ {
		if n < r.Offset {
			continue
		}
		var h index.Hit
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			return fmt.Errorf("read the running server's export: %w", err)
		}
		if err := fn(h); err != nil {
			return err
		}
	}
	return sc.Err()
}

// Timeline writes the server's export of q in format to w.
func (c *Client) Timeline(ctx context.Context, q timeline.Query, format string, w io.Writer) error {
	p := url.Values{"q": {q.Query}, "title": {q.Title}, "format": {format}, "source": q.Sources}
	if q.Topic != "" {
		p.Set("topic", q.Topic)
	}
	for _, t := range q.Types {
		p.Add("type", string(t))
	}
	if !q.From.IsZero() {
		p.Set("from", q.From.UTC().Format(time.RFC3339))
	}
	if !q.To.IsZero() {
		p.Set("to", q.To.UTC().Format(time.RFC3339))
	}
	if q.Official {
		p.Set("official", "true")
	}
	resp, err := c.get(ctx, "api/timeline", p)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}
