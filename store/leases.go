package store

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Leases let several processes share work through the store: crawlers split
// the due sources and take turns at each host, and one serve/run node at a
// time (the leader) runs the work that must run once. A lease names its
// owner (a string unique to the process) and when it ends; a process that
// dies simply stops renewing, and its leases pass to others when they end.
// Times are the callers' clocks: machines sharing a store keep them in sync
// (NTP), and lease lengths are far above any skew.

// EnvNode names the machine in lease holders' names when the host name does
// not (containers that share one).
const EnvNode = "WATCHLINE_NODE"

// node is this machine's name in lease holders' names.
func node() string {
	if n := os.Getenv(EnvNode); n != "" {
		return n
	}
	host, _ := os.Hostname()
	return host
}

// LeaseOwner names this process in leases: its machine (node), process id
// and a random suffix, so two holders never share a name, even in one
// process.
func LeaseOwner() string {
	b := make([]byte, 4)
	crand.Read(b)
	return fmt.Sprintf("%s:%d:%s", node(), os.Getpid(), hex.EncodeToString(b))
}

// DeadHere reports whether lease owner (a LeaseOwner name) is a process of
// this machine that no longer runs. Its leases need not wait to end: a
// crawler restarted after kill -9 takes its predecessor's sources at once.
// A process elsewhere, or one that may still run, is not known dead.
func DeadHere(owner string) bool {
	host, rest, ok := strings.Cut(owner, ":")
	if !ok {
		return false
	}
	pidText, _, _ := strings.Cut(rest, ":")
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 || host != node() || pid == os.Getpid() {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	// Signal 0 checks that the process exists; EPERM means it does (another
	// user's).
	err = p.Signal(syscall.Signal(0))
	return errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH)
}

// ClaimSources leases to owner, until until, those of ids that are due at
// now (their recorded next due time has come, or they were never crawled;
// with force, whether due or not) and that no other owner holds: their lease
// has ended, or stale says its holder is dead (a process of this machine that
// no longer runs; nil: none is known dead). It returns the claimed ids in the
// order given.
func (s *Store) ClaimSources(ctx context.Context, owner string, ids []string, now, until time.Time, force bool, stale func(owner string) bool) ([]string, error) {
	var claimed []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		claimed = claimed[:0]
		for _, id := range ids {
			var due int64
			err := tx.QueryRowContext(ctx, "SELECT next_due FROM source_state WHERE source_id = ?", id).Scan(&due)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if !force && due > unix(now) {
				continue
			}
			var holder string
			var leased int64
			err = tx.QueryRowContext(ctx, "SELECT owner, until FROM source_leases WHERE source_id = ?", id).Scan(&holder, &leased)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if !Claimable(holder, leased, owner, now, stale) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO source_leases(source_id, owner, until) VALUES(?,?,?)
				ON CONFLICT(source_id) DO UPDATE SET owner = excluded.owner, until = excluded.until`,
				id, owner, until.UnixMilli()); err != nil {
				return err
			}
			claimed = append(claimed, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim sources: %w", err)
	}
	return claimed, nil
}

// Claimable reports whether owner may take a lease that holder holds until
// the unix millisecond until: nobody holds it, it has ended at now, owner
// holds it already, or stale (if not nil) says holder is dead. Every store
// decides by it.
func Claimable(holder string, until int64, owner string, now time.Time, stale func(string) bool) bool {
	return holder == "" || holder == owner || until <= now.UnixMilli() || (stale != nil && stale(holder))
}

// ReleaseSource ends owner's lease on source id (after its health, with the
// next due time, is saved).
func (s *Store) ReleaseSource(ctx context.Context, id, owner string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM source_leases WHERE source_id = ? AND owner = ?", id, owner); err != nil {
			return fmt.Errorf("release source %s: %w", id, err)
		}
		return nil
	})
}

// AcquireHost gives owner the right to send one request to host, until
// until, if nobody else holds it (or stale says its holder is dead) and the
// host's delay since the last request has passed at now. Otherwise it returns
// false and when to ask again.
func (s *Store) AcquireHost(ctx context.Context, host, owner string, now, until time.Time, stale func(owner string) bool) (bool, time.Time, error) {
	var ok bool
	var retry time.Time
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var holder string
		var leased, notBefore int64
		err := tx.QueryRowContext(ctx, "SELECT owner, until, not_before FROM host_leases WHERE host = ?", host).
			Scan(&holder, &leased, &notBefore)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if !Claimable(holder, leased, owner, now, stale) {
			ok, retry = false, time.UnixMilli(max(leased, notBefore))
			return nil
		}
		if notBefore > now.UnixMilli() {
			ok, retry = false, time.UnixMilli(notBefore)
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO host_leases(host, owner, until, not_before) VALUES(?,?,?,0)
			ON CONFLICT(host) DO UPDATE SET owner = excluded.owner, until = excluded.until`, host, owner, until.UnixMilli())
		ok = err == nil
		return err
	})
	if err != nil {
		return false, time.Time{}, fmt.Errorf("acquire host %s: %w", host, err)
	}
	return ok, retry, nil
}

// ReleaseHost ends owner's turn at host; the next request may start at
// notBefore (the end of this one plus the host's delay).
func (s *Store) ReleaseHost(ctx context.Context, host, owner string, notBefore time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE host_leases SET owner = '', until = 0, not_before = MAX(not_before, ?)
			WHERE host = ? AND owner = ?`, notBefore.UnixMilli(), host, owner)
		if err != nil {
			return fmt.Errorf("release host %s: %w", host, err)
		}
		return nil
	})
}

// AcquireLease takes or renews lease name for owner until until, if it is
// free, ended at now, or already owner's, and reports whether owner holds it.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, now, until time.Time) (bool, error) {
	var ok bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO leases(name, owner, until) VALUES(?,?,?)
			ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until = excluded.until
			WHERE leases.until <= ? OR leases.owner = excluded.owner`, name, owner, until.UnixMilli(), now.UnixMilli())
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return ok, nil
}

// ReleaseLease gives up owner's lease name, so another may take it at once.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM leases WHERE name = ? AND owner = ?", name, owner); err != nil {
			return fmt.Errorf("release lease %s: %w", name, err)
		}
		return nil
	})
}

// RobotsTxt is a host's robots.txt as last fetched: its status (2xx: Body
// holds the rules; 4xx: none apply) and when.
type RobotsTxt struct {
	Status  int
	Body    []byte
	Fetched time.Time
}

// RobotsTxt returns the cached robots.txt of origin (scheme://host), and
// whether there is one.
func (s *Store) RobotsTxt(ctx context.Context, origin string) (RobotsTxt, bool, error) {
	var r RobotsTxt
	var fetched int64
	err := s.db.QueryRowContext(ctx, "SELECT status, body, fetched FROM robots_txt WHERE origin = ?", origin).
		Scan(&r.Status, &r.Body, &fetched)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("robots.txt of %s: %w", origin, err)
	}
	r.Fetched = fromUnix(fetched)
	return r, true, nil
}

// SaveRobotsTxt caches origin's robots.txt.
func (s *Store) SaveRobotsTxt(ctx context.Context, origin string, r RobotsTxt) error {
	if r.Body == nil {
		r.Body = []byte{}
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO robots_txt(origin, status, body, fetched) VALUES(?,?,?,?)
			ON CONFLICT(origin) DO UPDATE SET status = excluded.status, body = excluded.body, fetched = excluded.fetched`,
			origin, r.Status, r.Body, unix(r.Fetched))
		if err != nil {
			return fmt.Errorf("save robots.txt of %s: %w", origin, err)
		}
		return nil
	})
}
