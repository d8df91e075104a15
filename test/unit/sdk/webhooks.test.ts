import { describe, expect, it } from 'vitest';
import { signedHeaders } from '../../../server/domain/webhook-signature.js';
import { verifyAlertWebhook, WebhookVerificationError } from '../../../server/sdk/index.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('verifyAlertWebhook (the SDK’s verifier for receivers)', () => {
  it('accepts the Standard Webhooks specification’s test vector', () => {
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    expect(verifyAlertWebhook(SECRET, '{"test": 2432232314}', headers, { now: new Date(1614265330_000) })).toEqual({ test: 2432232314 });
  });

  it('accepts what the server signs, with fetch Headers too, and any of a rotation’s signatures', () => {
    const body = JSON.stringify({ version: 1, type: 'alert.test', data: { url: 'http://x/alerts' } });
    const other = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    const headers = signedHeaders([other, SECRET], 'd-1', Math.floor(Date.now() / 1000), body);
    expect(verifyAlertWebhook(SECRET, body, new Headers(headers)).type).toBe('alert.test');
    expect(verifyAlertWebhook(other, body, headers).type).toBe('alert.test');
  });

  it('refuses a changed body, another secret and an old timestamp', () => {
    const body = '{"a":1}';
    const headers = signedHeaders([SECRET], 'd-2', Math.floor(Date.now() / 1000), body);
    expect(() => verifyAlertWebhook(SECRET, '{"a":2}', headers)).toThrow(WebhookVerificationError);
    expect(() => verifyAlertWebhook(`whsec_${Buffer.alloc(32).toString('base64')}`, body, headers)).toThrow(WebhookVerificationError);
    const old = signedHeaders([SECRET], 'd-3', Math.floor(Date.now() / 1000) - 3600, body);
    expect(() => verifyAlertWebhook(SECRET, body, old)).toThrow(/timestamp/);
  });
});
