import { describe, expect, it } from 'vitest';
import {
  AlertCondition,
  AlertState,
  checkRuleParameters,
  maskedTarget,
  nextAttemptAt,
  RETRY_DELAYS_MS,
  repeatDue,
} from '../../../server/domain/alerts.js';
import { PipelineHealthStatus } from '../../../server/domain/pipeline-health.js';
import { isPrivateAddress } from '../../../server/domain/private-address.js';
import { signature, signedHeaders } from '../../../server/domain/webhook-signature.js';

describe('webhook signatures', () => {
  it('reproduce the Standard Webhooks specification’s published test vector', () => {
    expect(signature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('carry one signature per secret, space-separated, during a rotation', () => {
    const headers = signedHeaders(
      ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', `whsec_${Buffer.alloc(32, 7).toString('base64')}`],
      'id-1',
      1,
      '{}',
    );
    expect(headers['webhook-id']).toBe('id-1');
    expect(headers['webhook-timestamp']).toBe('1');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
  });
});

describe('private addresses', () => {
  it('refuses loopback, private, link-local, metadata, CGNAT and mapped ones; allows public ones', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'nonsense',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });
});

describe('rule parameters', () => {
  it('fill defaults and keep only what the condition reads', () => {
    expect(checkRuleParameters({ condition: AlertCondition.RUN_FAILED })).toEqual({
      threshold: 1,
      windowSeconds: null,
      healthStates: null,
      repeatIntervalSeconds: 0,
    });
    expect(checkRuleParameters({ condition: AlertCondition.ERROR_GROUP_NEW })).toEqual({
      threshold: null,
      windowSeconds: null,
      healthStates: null,
      repeatIntervalSeconds: 0,
    });
    expect(
      checkRuleParameters({
        condition: AlertCondition.PIPELINE_HEALTH,
        healthStates: [PipelineHealthStatus.STALE, PipelineHealthStatus.STALE],
      }).healthStates,
    ).toEqual([PipelineHealthStatus.STALE]);
  });

  it('name the field of each senseless parameter', () => {
    const refused = (input: Parameters<typeof checkRuleParameters>[0]) => {
      try {
        checkRuleParameters(input);
      } catch (error) {
        return (error as { details?: { field?: string } }).details?.field;
      }
      return 'accepted';
    };
    expect(refused({ condition: AlertCondition.ERROR_RATE, threshold: 1, windowSeconds: 60 })).toBe('accepted');
    expect(refused({ condition: AlertCondition.ERROR_RATE, threshold: 1.01, windowSeconds: 60 })).toBe('input.threshold');
    expect(refused({ condition: AlertCondition.ERROR_RATE, threshold: 0.5, windowSeconds: 30 })).toBe('input.windowSeconds');
    expect(refused({ condition: AlertCondition.ERROR_RATE, threshold: Number.NaN, windowSeconds: 60 })).toBe('input.threshold');
    expect(refused({ condition: AlertCondition.RUN_FAILED, threshold: 0 })).toBe('input.threshold');
    expect(refused({ condition: AlertCondition.DEAD_LETTERS })).toBe('input.threshold');
    expect(refused({ condition: AlertCondition.RUN_DURATION, threshold: 0.5 })).toBe('input.threshold');
    expect(refused({ condition: AlertCondition.ERROR_GROUP_REGRESSED, healthStates: [PipelineHealthStatus.FAILING] })).toBe(
      'input.healthStates',
    );
    expect(refused({ condition: AlertCondition.RUN_FAILED, repeatIntervalSeconds: 59 })).toBe('input.repeatIntervalSeconds');
  });
});

describe('schedules', () => {
  it('retry after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then give up', () => {
    const now = new Date(0);
    expect(RETRY_DELAYS_MS.map((_, i) => nextAttemptAt(i + 1, now)?.getTime())).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(nextAttemptAt(8, now)).toBeNull();
  });

  it('remind only a FIRING alert, only when repeats are on and the interval has passed', () => {
    const last = new Date(0);
    expect(repeatDue(AlertState.FIRING, 60, last, new Date(60_000))).toBe(true);
    expect(repeatDue(AlertState.FIRING, 60, last, new Date(59_999))).toBe(false);
    expect(repeatDue(AlertState.ACKNOWLEDGED, 60, last, new Date(600_000))).toBe(false);
    expect(repeatDue(AlertState.FIRING, 0, last, new Date(600_000))).toBe(false);
  });

  it('mask a channel URL to its scheme and host', () => {
    expect(maskedTarget('https://hooks.slack.com/services/T/B/secret')).toBe('https://hooks.slack.com/…');
  });
});
