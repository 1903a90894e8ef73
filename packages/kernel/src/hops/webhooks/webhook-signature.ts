import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` holds
 * space-separated `v1,<base64 HMAC-SHA256>` entries over `<webhook-id>.<webhook-timestamp>.<body>`,
 * keyed by the secret's bytes (`whsec_` + base64). Any library that implements the spec
 * verifies what Stitch sends, and `verifyWebhook()` verifies what any such sender sends.
 */

const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: `whsec_` + 32 random bytes in base64 (the spec allows 24–64 bytes). */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The HMAC key of a secret: the base64 after `whsec_` (the prefix is optional, as in the reference libraries). */
export function webhookSecretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

/**
 * The `webhook-signature` entry for one message.
 *
 * @example
 *   signWebhook({ id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestampSeconds: 1614265330, body: '{"test": 2432232314}',
 *                 secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }); // 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
 */
export function signWebhook(message: { id: string; timestampSeconds: number; body: string | Buffer; secret: string }): string {
  return `v1,${hmac(webhookSecretKey(message.secret), message.id, String(message.timestampSeconds), message.body).toString('base64')}`;
}

/** The three headers of a signed message; several secrets (rotation) give several signatures. */
export function webhookHeaders(message: { id: string; timestampSeconds: number; body: string | Buffer; secrets: readonly string[] }): Record<string, string> {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestampSeconds),
    'webhook-signature': message.secrets.map((secret) => signWebhook({ ...message, secret })).join(' '),
  };
}

export type WebhookVerification =
  | { readonly ok: true; readonly id: string; readonly timestampSeconds: number }
  | { readonly ok: false; readonly reason: 'missing_header' | 'invalid_timestamp' | 'timestamp_out_of_tolerance' | 'no_matching_signature' };

export interface VerifyWebhookInput {
  /** Request headers (Node's IncomingHttpHeaders, a Headers object's entries, any lower-case record). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body, byte for byte as received: a re-serialised JSON body does not verify. */
  readonly body: string | Buffer;
  /** One secret, or several during a rotation. */
  readonly secret: string | readonly string[];
  /** Replay window around now; the spec recommends 5 minutes. */
  readonly toleranceSeconds?: number;
  readonly nowSeconds?: number;
}

/**
 * Checks a received webhook: all three headers present, timestamp within the tolerance window,
 * and at least one `v1` signature equal (constant-time) to one computed with one of the secrets.
 * A failure is a value, never a throw: the receiver answers 401 and moves on.
 *
 * @example
 *   const result = verifyWebhook({ headers: req.headers, body: rawBody, secret: process.env.WEBHOOK_SECRET! });
 *   if (!result.ok) return res.writeHead(401).end(result.reason);
 */
export function verifyWebhook(input: VerifyWebhookInput): WebhookVerification {
  const id = header(input.headers, 'webhook-id');
  const timestamp = header(input.headers, 'webhook-timestamp');
  const signatures = header(input.headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) return { ok: false, reason: 'missing_header' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'invalid_timestamp' };
  const timestampSeconds = Number(timestamp);
  const nowSeconds = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowSeconds - timestampSeconds) > (input.toleranceSeconds ?? 300)) return { ok: false, reason: 'timestamp_out_of_tolerance' };

  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  const expected = secrets.map((secret) => hmac(webhookSecretKey(secret), id, timestamp, input.body));
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma === -1 || entry.slice(0, comma) !== 'v1') continue; // other schemes (v1a, …) are not ours to judge
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    for (const mac of expected) {
      if (given.length === mac.length && timingSafeEqual(given, mac)) return { ok: true, id, timestampSeconds };
    }
  }
  return { ok: false, reason: 'no_matching_signature' };
}

function hmac(key: Buffer, id: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

function header(headers: VerifyWebhookInput['headers'], name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  const single = Array.isArray(value) ? value[0] : value;
  return single === undefined || single === '' ? undefined : single;
}
