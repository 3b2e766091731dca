package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchline/watchline/store"
)

// ClaimSources leases to owner, until until, those of ids that are due at
// now (or all, with force) and that no live owner holds (see
// store.Claimable), and returns them in the order given. Crawlers claiming
// at the same moment skip each other's locked rows (FOR UPDATE SKIP LOCKED)
// instead of waiting, so each gets a different share of the due sources.
func (s *Store) ClaimSources(ctx context.Context, owner string, ids []string, now, until time.Time, force bool, stale func(owner string) bool) ([]string, error) {
	var got []string
	err := s.tx(ctx, func(tx pgx.Tx) error {
		got = nil
		if _, err := tx.Exec(ctx, `INSERT INTO source_leases(source_id) SELECT unnest($1::text[]) ORDER BY 1
			ON CONFLICT DO NOTHING`, ids); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT l.source_id, l.owner, l.until FROM source_leases l
			LEFT JOIN source_state s ON s.source_id = l.source_id
			WHERE l.source_id = ANY($1) AND ($2 OR COALESCE(s.next_due, 0) <= $3)
			ORDER BY l.source_id FOR UPDATE OF l SKIP LOCKED`, ids, force, unix(now))
		if err != nil {
			return err
		}
		var free []string
		for rows.Next() {
			var id, holder string
			var leased int64
			if err := rows.Scan(&id, &holder, &leased); err != nil {
				rows.Close()
				return err
			}
			if store.Claimable(holder, leased, owner, now, stale) {
				free = append(free, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(free) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE source_leases SET owner = $2, until = $3 WHERE source_id = ANY($1)",
			free, owner, until.UnixMilli()); err != nil {
			return err
		}
		got = free
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim sources: %w", err)
	}
	var claimed []string
	for _, id := range ids {
		if slices.Contains(got, id) && !slices.Contains(claimed, id) {
			claimed = append(claimed, id)
		}
	}
	return claimed, nil
}

// ReleaseSource ends owner's lease on source id.
func (s *Store) ReleaseSource(ctx context.Context, id, owner string) error {
	if _, err := s.pool.Exec(ctx, "DELETE FROM source_leases WHERE source_id = $1 AND owner = $2", id, owner); err != nil {
		return fmt.Errorf("release source %s: %w", id, err)
	}
	return nil
}

// AcquireHost gives owner the right to send one request to host, until
// until, if no live owner holds it (see store.Claimable) and the host's delay
// has passed at now;
// otherwise it returns false and when to ask again.
func (s *Store) AcquireHost(ctx context.Context, host, owner string, now, until time.Time, stale func(owner string) bool) (bool, time.Time, error) {
	var ok bool
	var retry time.Time
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO host_leases(host) VALUES($1) ON CONFLICT DO NOTHING", host); err != nil {
			return err
		}
		var holder string
		var leased, notBefore int64
		if err := tx.QueryRow(ctx, "SELECT owner, until, not_before FROM host_leases WHERE host = $1 FOR UPDATE", host).
			Scan(&holder, &leased, &notBefore); err != nil {
			return err
		}
		switch {
		case !store.Claimable(holder, leased, owner, now, stale):
			ok, retry = false, time.UnixMilli(max(leased, notBefore))
			return nil
		case notBefore > now.UnixMilli():
			ok, retry = false, time.UnixMilli(notBefore)
			return nil
		}
		_, err := tx.Exec(ctx, "UPDATE host_leases SET owner = $2, until = $3 WHERE host = $1", host, owner, until.UnixMilli())
		ok = err == nil
		return err
	})
	if err != nil {
		return false, time.Time{}, fmt.Errorf("acquire host %s: %w", host, err)
	}
	return ok, retry, nil
}

// ReleaseHost ends owner's turn at host; the next request may start at
// notBefore.
func (s *Store) ReleaseHost(ctx context.Context, host, owner string, notBefore time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE host_leases SET owner = '', until = 0, not_before = GREATEST(not_before, $1)
		WHERE host = $2 AND owner = $3`, notBefore.UnixMilli(), host, owner)
	if err != nil {
		return fmt.Errorf("release host %s: %w", host, err)
	}
	return nil
}

// AcquireLease takes or renews lease name for owner until until, if it is
// free, ended at now, or already owner's, and reports whether owner holds it.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, now, until time.Time) (bool, error) {
	var ok bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO leases(name, owner, until) VALUES($1,$2,$3)
			ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until = excluded.until
			WHERE leases.until <= $4 OR leases.owner = excluded.owner`, name, owner, until.UnixMilli(), now.UnixMilli())
		ok = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return ok, nil
}

// ReleaseLease gives up owner's lease name.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if _, err := s.pool.Exec(ctx, "DELETE FROM leases WHERE name = $1 AND owner = $2", name, owner); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// RobotsTxt returns the cached robots.txt of origin, and whether there is one.
func (s *Store) RobotsTxt(ctx context.Context, origin string) (store.RobotsTxt, bool, error) {
	var r store.RobotsTxt
	var fetched int64
	err := s.pool.QueryRow(ctx, "SELECT status, body, fetched FROM robots_txt WHERE origin = $1", origin).
		Scan(&r.Status, &r.Body, &fetched)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("robots.txt of %s: %w", origin, err)
	}
	r.Fetched = fromUnix(fetched)
	return r, true, nil
}

// SaveRobotsTxt caches origin's robots.txt.
func (s *Store) SaveRobotsTxt(ctx context.Context, origin string, r store.RobotsTxt) error {
	if r.Body == nil {
		r.Body = []byte{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO robots_txt(origin, status, body, fetched) VALUES($1,$2,$3,$4)
		ON CONFLICT(origin) DO UPDATE SET status = excluded.status, body = excluded.body, fetched = excluded.fetched`,
		origin, r.Status, r.Body, unix(r.Fetched))
	if err != nil {
		return fmt.Errorf("save robots.txt of %s: %w", origin, err)
	}
	return nil
}
