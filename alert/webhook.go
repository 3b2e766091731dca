package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/netguard"
)

// Webhook headers.
const (
	HeaderSignature   = "X-Watchline-Signature" // "sha256=" + hex HMAC-SHA256 of the body
	HeaderIdempotency = "Idempotency-Key"
)

// Sign returns the signature header value for body under secret. Receivers
// compute the same and compare with hmac.Equal.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is body's signature under secret.
func Verify(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

func (s *Service) sendWebhook(ctx context.Context, sub model.Subscription, d model.Delivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Webhook, bytes.NewReader(d.Payload))
	if err != nil {
		return permanentError{fmt.Errorf("webhook %s: %w", sub.Webhook, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "watchline-alerts/0.1")
	req.Header.Set(HeaderSignature, Sign(sub.Secret, d.Payload))
	req.Header.Set(HeaderIdempotency, d.IdempotencyKey)
	resp, err := s.http.Do(req)
	if errors.Is(err, netguard.ErrRefused) {
		// The same URL will be refused again until the configuration
		// changes; `alerts retry` sends it then.
		return permanentError{fmt.Errorf("webhook %s: %w", sub.Webhook, err)}
	}
	if err != nil {
		return fmt.Errorf("webhook %s: %w", sub.Webhook, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("webhook %s: receiver answered %s", sub.Webhook, resp.Status)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return permanentError{fmt.Errorf("%w; it redirects to %q: use that URL", err, resp.Header.Get("Location"))}
	}
	// A 4xx other than timeout or rate limit is the receiver refusing this
	// request; sending it again would be refused again.
	if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != 408 && resp.StatusCode != 429 {
		return permanentError{err}
	}
	return err
}
