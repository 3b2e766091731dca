package alert

import (
	"context"
	"testing"

	"github.com/watchline/watchline/config"
)

func TestSyncUpsertsConfigAlerts(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	svc := newService(st, newClock(t0), Options{})
	alerts := []config.Alert{
		{ID: "mss-targeting", Query: "MI5 AND (China OR MSS)", Level: "article", Webhook: "https://example.org/hook"},
		{ID: "cps", Query: "CPS", Atom: true, Digest: "daily@08:00", Sources: []string{"cps-news"}},
	}
	created, err := svc.Sync(ctx, alerts)
	if err != nil || len(created) != 2 || created[0].Secret == "" {
		t.Fatalf("first Sync = %+v, %v; want two created, with secrets", created, err)
	}
	first := created[0]

	alerts[0].Query = "MI5 AND LinkedIn"
	alerts[1].Digest = "hourly"
	again, err := svc.Sync(ctx, alerts)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Sync created %+v, %v; want none", again, err)
	}
	got, err := st.SubscriptionByKey(ctx, "mss-targeting")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != first.ID || got.Secret != first.Secret || got.Query != "MI5 AND LinkedIn" {
		t.Errorf("updated alert = id %d secret %q query %q; want id %d, the same secret and the new query",
			got.ID, got.Secret, got.Query, first.ID)
	}
	cps, _ := st.SubscriptionByKey(ctx, "cps")
	if cps.Digest != "hourly" || !cps.NextDigest.Equal(t0.Add(0).Truncate(3600e9).Add(3600e9)) {
		t.Errorf("cps digest = %q due %v; want hourly, due on the next hour", cps.Digest, cps.NextDigest)
	}

	alerts[0].Query = `"unclosed`
	if _, err := svc.Sync(ctx, alerts); err == nil {
		t.Error("Sync accepted an alert with a bad query")
	}
}
