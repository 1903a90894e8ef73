import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from './webhook-signature.js';

// The Standard Webhooks test vector, as published with the reference libraries.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestampSeconds: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

function vectorHeaders(signature = VECTOR.signature) {
  return { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestampSeconds), 'webhook-signature': signature };
}

describe('Standard Webhooks signatures', () => {
  it('signWebhook() reproduces the published test vector exactly', () => {
    expect(signWebhook(VECTOR)).toBe(VECTOR.signature);
  });

  it('verifyWebhook() accepts the test vector, also among other signatures (rotation)', () => {
    const now = VECTOR.timestampSeconds + 10;
    expect(verifyWebhook({ headers: vectorHeaders(), body: VECTOR.body, secret: VECTOR.secret, nowSeconds: now })).toEqual({
      ok: true,
      id: VECTOR.id,
      timestampSeconds: VECTOR.timestampSeconds,
    });
    const several = `v1,bm9wZQ== v1a,whatever ${VECTOR.signature}`;
    expect(verifyWebhook({ headers: vectorHeaders(several), body: VECTOR.body, secret: VECTOR.secret, nowSeconds: now }).ok).toBe(true);
    expect(verifyWebhook({ headers: vectorHeaders(), body: VECTOR.body, secret: [newWebhookSecret(), VECTOR.secret], nowSeconds: now }).ok).toBe(true);
  });

  it('verifyWebhook() refuses a tampered body, a wrong secret, an old timestamp and missing headers, with the reason', () => {
    const now = VECTOR.timestampSeconds;
    expect(verifyWebhook({ headers: vectorHeaders(), body: '{"test": 2432232315}', secret: VECTOR.secret, nowSeconds: now })).toEqual({ ok: false, reason: 'no_matching_signature' });
    expect(verifyWebhook({ headers: vectorHeaders(), body: VECTOR.body, secret: newWebhookSecret(), nowSeconds: now })).toEqual({ ok: false, reason: 'no_matching_signature' });
    expect(verifyWebhook({ headers: vectorHeaders(), body: VECTOR.body, secret: VECTOR.secret, nowSeconds: now + 301 })).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhook({ headers: { ...vectorHeaders(), 'webhook-timestamp': '16e8' }, body: VECTOR.body, secret: VECTOR.secret, nowSeconds: now })).toEqual({ ok: false, reason: 'invalid_timestamp' });
    expect(verifyWebhook({ headers: { 'webhook-id': VECTOR.id }, body: VECTOR.body, secret: VECTOR.secret, nowSeconds: now })).toEqual({ ok: false, reason: 'missing_header' });
  });

  it('webhookHeaders() signs with every secret given, and a fresh secret round-trips', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = webhookHeaders({ id: 'msg_1', timestampSeconds: 1_700_000_000, body: 'hello', secrets: [secret, VECTOR.secret] });
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifyWebhook({ headers, body: 'hello', secret, nowSeconds: 1_700_000_000 }).ok).toBe(true);
  });
});
