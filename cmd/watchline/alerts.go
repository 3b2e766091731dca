package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

const alertsUsage = `add|list|rm|test|run|deliveries|retry|atom ...

  alerts add --query Q (--webhook URL | --email ADDR | --atom) [--name N] [--level article|event]
             [--digest hourly|daily@08:00|weekly@mon 08:00] [--tz Europe/London]
             [--source ID]... [--tag T]... [--language L]... [--type T]... [--official] [--backfill 7d]
  alerts list [--format text|json]
  alerts rm ID
  alerts test ID | --query Q [--days 7] [--source ID]... [--official] [--format text|json]
  alerts run [--once] [--interval 1m]
  alerts deliveries [--failed] [--format text|json]
  alerts retry DELIVERY-ID
  alerts atom ID            (prints the subscription's Atom feed)`

// runAlerts manages subscriptions and runs matching and delivery.
func runAlerts(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(a.stderr, "usage: watchline alerts %s\n", alertsUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: missing subcommand", errUsage)
		}
		return nil
	}
	sub, rest, ok := subcommand(args, "add", "list", "ls", "rm", "remove", "test", "run", "deliveries", "retry", "atom")
	if !ok {
		return fmt.Errorf("%w: no subcommand in %q; use add, list, rm, test, run, deliveries, retry or atom", errUsage, strings.Join(args, " "))
	}
	switch sub {
	case "add":
		return alertsAdd(ctx, a, rest)
	case "list", "ls":
		return alertsList(ctx, a, rest)
	case "rm", "remove":
		return alertsRemove(ctx, a, rest)
	case "test":
		return alertsTest(ctx, a, rest)
	case "run":
		return alertsRun(ctx, a, rest)
	case "deliveries":
		return alertsDeliveries(ctx, a, rest)
	case "retry":
		return alertsRetry(ctx, a, rest)
	case "atom":
		return alertsAtom(ctx, a, rest)
	}
	return fmt.Errorf("%w: unknown subcommand %q; use add, list, rm, test, run, deliveries, retry or atom", errUsage, sub)
}

// alertService opens the store and builds the alert service from the
// configuration (SMTP settings), if there is one.
func (a *app) alertService(ctx context.Context) (*alert.Service, store.Backend, *config.Config, error) {
	cfg, err := a.config()
	if errors.Is(err, fs.ErrNotExist) {
		cfg, err = &config.Config{}, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := a.store(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	svc := alert.New(st, alert.Options{
		Matcher:      alert.IndexMatcher(),
		SMTP:         cfg.SMTP,
		Password:     cfg.SMTP.Password(),
		AllowPrivate: cfg.AlertsAllowPrivate,
		DataDir:      a.dataDir,
	})
	return svc, st, cfg, nil
}

// subscriptionFlags are the flags that describe what a subscription matches.
type subscriptionFlags struct {
	query, name, level                 *string
	sources, tags, languages, types    multiFlag
	official                           *bool
	atom                               atomFlag
	webhook, email, digest, tz, window *string
}

// atomFlag is --atom: a switch. It once took a file name; one given now is an
// error saying where the feed goes instead.
type atomFlag bool

func (f *atomFlag) IsBoolFlag() bool { return true }
func (f *atomFlag) String() string   { return strconv.FormatBool(bool(*f)) }
func (f *atomFlag) Set(v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return errAtomFile
	}
	*f = atomFlag(b)
	return nil
}

var errAtomFile = errors.New("--atom takes no file name: the feed is written to the data directory's " +
	alert.AtomDir + "/subscription-ID.xml and served by `watchline serve` at the URL `alerts add` prints")

func addSubscriptionFlags(fs *flag.FlagSet) *subscriptionFlags {
	f := &subscriptionFlags{}
	f.query = fs.String("query", "", "search `query` (same language as watchline search)")
	f.official = fs.Bool("official", false, "only official sources")
	fs.Var(&f.sources, "source", "only this source `id` (repeatable)")
	fs.Var(&f.tags, "tag", "only sources with this `tag` (repeatable)")
	fs.Var(&f.languages, "language", "only this `language` (repeatable)")
	fs.Var(&f.types, "type", "only this event `type` (event level; repeatable)")
	return f
}

func (f *subscriptionFlags) subscription() model.Subscription {
	s := model.Subscription{Query: *f.query, Sources: f.sources, Tags: f.tags, Languages: f.languages, Official: *f.official}
	for _, t := range f.types {
		s.Types = append(s.Types, model.EventType(t))
	}
	if f.name != nil {
		s.Name, s.Level = *f.name, model.SubscriptionLevel(*f.level)
		s.Webhook, s.Email, s.Atom = *f.webhook, *f.email, bool(f.atom)
		s.Digest, s.TimeZone = *f.digest, *f.tz
	}
	return s
}

func alertsAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags("alerts add", "--query Q (--webhook URL | --email ADDR | --atom) [options]")
	f := addSubscriptionFlags(fs)
	f.name = fs.String("name", "", "a short `name`, used in e-mail subjects")
	f.level = fs.String("level", "article", "`level`: article or event")
	f.webhook = fs.String("webhook", "", "deliver by signed JSON POST to `URL`")
	f.email = fs.String("email", "", "deliver by e-mail to `address` (needs smtp: in feeds.yaml)")
	fs.Var(&f.atom, "atom", "deliver by rewriting the subscription's Atom feed in the data directory")
	f.digest = fs.String("digest", "immediate", "`schedule`: immediate, hourly, daily@08:00 or weekly@mon 08:00")
	f.tz = fs.String("tz", "", "time `zone` of the digest schedule, e.g. Europe/London (default UTC)")
	f.window = fs.String("backfill", "", "also alert matches published within this `window`, e.g. 7d or 36h")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 && f.atom {
		return fmt.Errorf("%w: %v", errUsage, errAtomFile)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (quote the query: --query 'a b')", errUsage, fs.Arg(0))
	}
	var backfill time.Duration
	if *f.window != "" {
		var err error
		if backfill, err = alertWindow(*f.window); err != nil {
			return fmt.Errorf("%w: --backfill: %v", errUsage, err)
		}
	}
	svc, st, _, err := a.alertService(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sub, err := svc.Add(ctx, f.subscription(), alert.AddOptions{Backfill: backfill})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "added subscription %d (%s level, %s, %s)\n", sub.ID, sub.Level, alertChannel(sub), alertSchedule(sub))
	if sub.Webhook != "" {
		fmt.Fprintf(a.stdout, "webhook secret (shown once; verify %s = sha256=HMAC-SHA256(secret, body)):\n  %s\n",
			alert.HeaderSignature, sub.Secret)
	}
	if sub.Atom {
		fmt.Fprintf(a.stdout, "the feed is written to %s by `watchline alerts run` (or `run`),\nand served by `watchline serve` at /atom/%s (anyone with that link can read it)\n",
			alert.AtomPath(a.dataDir, sub.ID), sub.AtomToken)
	}
	if backfill > 0 {
		fmt.Fprintln(a.stdout, "recent matches are queued; `watchline alerts run --once` sends them")
	}
	return nil
}

func alertChannel(s model.Subscription) string {
	switch {
	case s.Webhook != "":
		return "webhook " + s.Webhook
	case s.Email != "":
		return "e-mail " + s.Email
	}
	return "atom feed"
}

func alertSchedule(s model.Subscription) string {
	sched, err := alert.ParseSchedule(s.Digest, s.TimeZone)
	if err != nil {
		return s.Digest
	}
	out := sched.String()
	if !sched.Immediate() && s.TimeZone != "" {
		out += " " + s.TimeZone
	}
	return out
}

// parseWindow reads a duration that may also be given in days ("7d").
func alertWindow(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, fmt.Errorf("%q is not a window; use days like 7d or a duration like 36h", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a window; use days like 7d or a duration like 36h", s)
	}
	return d, nil
}

func alertsList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("alerts list", "[--format text|json]")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	subs, err := st.Subscriptions(ctx)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		if subs == nil {
			subs = []model.Subscription{}
		}
		return a.printJSON(subs) // Secret is never marshalled
	case "text":
	default:
		return fmt.Errorf("%w: unknown format %q; use text or json", errUsage, *format)
	}
	if len(subs) == 0 {
		fmt.Fprintln(a.stdout, "no subscriptions; add one with `watchline alerts add --query Q --webhook URL`")
		return nil
	}
	tw := newTable(a.stdout, "ID", "NAME", "LEVEL", "CHANNEL", "SCHEDULE", "QUERY", "FILTERS")
	for _, s := range subs {
		name := s.Name
		if s.Key != "" && name == "" {
			name = s.Key
		}
		tw.row(strconv.FormatInt(s.ID, 10), name, string(s.Level), alertChannel(s), alertSchedule(s), s.Query, alertFilters(s))
	}
	return tw.flush()
}

func alertFilters(s model.Subscription) string {
	var fs []string
	if len(s.Sources) > 0 {
		fs = append(fs, "source="+strings.Join(s.Sources, ","))
	}
	if len(s.Tags) > 0 {
		fs = append(fs, "tag="+strings.Join(s.Tags, ","))
	}
	if len(s.Languages) > 0 {
		fs = append(fs, "language="+strings.Join(s.Languages, ","))
	}
	if len(s.Types) > 0 {
		var ts []string
		for _, t := range s.Types {
			ts = append(ts, string(t))
		}
		fs = append(fs, "type="+strings.Join(ts, ","))
	}
	if s.Official {
		fs = append(fs, "official")
	}
	if len(fs) == 0 {
		return "-"
	}
	return strings.Join(fs, " ")
}

func alertArgID(args []string, what string) (int64, error) {
	if len(args) != 1 {
		return 0, fmt.Errorf("%w: give one %s id", errUsage, what)
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: %q is not a %s id; see `watchline alerts list`", errUsage, args[0], what)
	}
	return id, nil
}

// alertIDCommand parses the arguments of a subcommand that takes one id and
// nothing else.
func (a *app) alertIDCommand(name, usage, what string, args []string) (int64, error) {
	fs := a.flags(name, usage)
	if err := parse(fs, args); err != nil {
		return 0, err
	}
	return alertArgID(fs.Args(), what)
}

// subscriptionErr says how to find a subscription that is not there.
func subscriptionErr(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no subscription %d; see `watchline alerts list`", id)
	}
	return err
}

func alertsRemove(ctx context.Context, a *app, args []string) error {
	id, err := a.alertIDCommand("alerts rm", "ID", "subscription", args)
	if err != nil {
		return err
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RemoveSubscription(ctx, id); err != nil {
		return subscriptionErr(id, err)
	}
	fmt.Fprintf(a.stdout, "removed subscription %d\n", id)
	return nil
}

func alertsTest(ctx context.Context, a *app, args []string) error {
	fs := a.flags("alerts test", "ID | --query Q [--days N]")
	f := addSubscriptionFlags(fs)
	days := fs.Int("days", 7, "look back this many `days` (0: the whole archive)")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *days < 0 {
		return fmt.Errorf("%w: --days must be 0 (the whole archive) or more", errUsage)
	}
	svc, st, _, err := a.alertService(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var sub model.Subscription
	switch {
	case fs.NArg() > 0 && *f.query == "":
		id, err := alertArgID(fs.Args(), "subscription")
		if err != nil {
			return err
		}
		if sub, err = svc.Get(ctx, id); err != nil {
			return subscriptionErr(id, err)
		}
	case fs.NArg() == 0 && *f.query != "":
		sub = f.subscription()
	default:
		return fmt.Errorf("%w: give a subscription id or --query Q (not both)", errUsage)
	}
	items, err := svc.Test(ctx, sub, *days)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		if items == nil {
			items = []alert.Item{}
		}
		return a.printJSON(items)
	case "text":
	default:
		return fmt.Errorf("%w: unknown format %q; use text or json", errUsage, *format)
	}
	window := fmt.Sprintf("in the last %d days", *days)
	if *days == 0 {
		window = "in the whole archive"
	}
	fmt.Fprintf(a.stdout, "%d alerts %s for: %s (nothing was sent)\n", len(items), window, sub.Query)
	for _, it := range items {
		fmt.Fprintf(a.stdout, "\n%s  %s  %s\n  %s\n", it.Published.Format("2006-01-02"), printable(it.Source), printable(it.Title), printable(it.URL))
		if it.Similar > 0 {
			fmt.Fprintf(a.stdout, "  +%d similar\n", it.Similar)
		}
		fmt.Fprintf(a.stdout, "  matched: %s\n  why: %s\n", printable(strings.Join(it.Terms, ", ")), printable(it.Rule))
	}
	return nil
}

func alertsRun(ctx context.Context, a *app, args []string) error {
	fs := a.flags("alerts run", "[--once] [--interval 1m]")
	once := fs.Bool("once", false, "one matching and delivery pass, then exit")
	interval := fs.Duration("interval", time.Minute, "time between passes")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *interval <= 0 {
		return fmt.Errorf("%w: --interval must be positive", errUsage)
	}
	svc, st, cfg, err := a.alertService(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	created, err := svc.Sync(ctx, cfg.Alerts)
	if err != nil {
		return fmt.Errorf("apply alerts from %s: %w", a.configPath, err)
	}
	for _, s := range created {
		fmt.Fprintf(a.stdout, "alert %s from %s is subscription %d", s.Key, a.configPath, s.ID)
		if s.Webhook != "" {
			fmt.Fprintf(a.stdout, "; webhook secret (shown once): %s", s.Secret)
		}
		fmt.Fprintln(a.stdout)
	}
	if *once {
		matched, err := svc.Match(ctx)
		if err != nil {
			return err
		}
		delivered, err := svc.Deliver(ctx)
		fmt.Fprintf(a.stdout, "%d new matches, %d deliveries sent\n", matched, delivered)
		if err != nil {
			return err
		}
		failed, _ := svc.Deliveries(ctx, true)
		if len(failed) > 0 {
			fmt.Fprintf(a.stdout, "%d deliveries have failed; see `watchline alerts deliveries --failed`\n", len(failed))
		}
		return nil
	}
	fmt.Fprintf(a.stdout, "matching and delivering every %s (Ctrl-C to stop)\n", *interval)
	err = svc.Run(ctx, *interval, func(err error) { fmt.Fprintf(a.stderr, "watchline alerts: %v\n", err) })
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func alertsDeliveries(ctx context.Context, a *app, args []string) error {
	fs := a.flags("alerts deliveries", "[--failed] [--format text|json]")
	failed := fs.Bool("failed", false, "only deliveries that gave up")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	svc, st, _, err := a.alertService(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ds, err := svc.Deliveries(ctx, *failed)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		if ds == nil {
			ds = []model.Delivery{}
		}
		return a.printJSON(ds)
	case "text":
	default:
		return fmt.Errorf("%w: unknown format %q; use text or json", errUsage, *format)
	}
	if len(ds) == 0 {
		fmt.Fprintln(a.stdout, "no deliveries")
		return nil
	}
	tw := newTable(a.stdout, "ID", "SUB", "CHANNEL", "STATE", "MATCHES", "ATTEMPTS", "CREATED", "KEY", "LAST ERROR")
	for _, d := range ds {
		tw.row(strconv.FormatInt(d.ID, 10), strconv.FormatInt(d.SubscriptionID, 10), d.Channel, string(d.State), strconv.Itoa(d.Matches),
			strconv.Itoa(d.Attempts), d.Created.Format("2006-01-02 15:04"), d.IdempotencyKey, d.LastError)
	}
	if err := tw.flush(); err != nil {
		return err
	}
	if *failed {
		fmt.Fprintln(a.stdout, "\nfix the receiver, then `watchline alerts retry ID` puts a delivery back in the outbox")
	}
	return nil
}

func alertsRetry(ctx context.Context, a *app, args []string) error {
	id, err := a.alertIDCommand("alerts retry", "DELIVERY-ID", "delivery", args)
	if err != nil {
		return err
	}
	svc, st, _, err := a.alertService(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := svc.Retry(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "delivery %d is due again; `watchline alerts run --once` sends it\n", id)
	return nil
}

func alertsAtom(ctx context.Context, a *app, args []string) error {
	id, err := a.alertIDCommand("alerts atom", "ID", "subscription", args)
	if err != nil {
		return err
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return alert.WriteAtom(ctx, st, id, a.stdout)
}
