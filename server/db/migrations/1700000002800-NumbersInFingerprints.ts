import type { MigrationInterface, QueryRunner } from 'typeorm';
import { errorFingerprint } from '../../domain/error-text.js';

/** Records read (and moved) a batch at a time. */
const BATCH = 5_000;
/** Messages whose new fingerprint is remembered: the same message recurs (a lock on one row, say). */
const REMEMBERED = 50_000;

/** The current rule's fingerprint of a message, remembered for the next record with the same one. */
function fingerprintOf(remembered: Map<string, string>, code: string | null, message: string): string {
  const key = `${code ?? ''}\u0000${message}`;
  let fingerprint = remembered.get(key);
  if (fingerprint === undefined) {
    fingerprint = errorFingerprint(code, message) as string;
    if (remembered.size >= REMEMBERED) remembered.clear();
    remembered.set(key, fingerprint);
  }
  return fingerprint;
}

/**
 * A number is a number (issue 23): the fingerprint used to turn a run of six or more digits into `<id>` and a
 * shorter one into `<n>`, so "Unable to lock row 1001" and "Unable to lock row 777777" were two error groups.
 * The rule is now `<n>` for both (domain/error-text.ts); this recomputes the retained records' fingerprints with it
 * and carries what hangs on a fingerprint over to the new one:
 *
 * - only a message with a word of six or more digits and hyphens alone (no letter next to them) can change, so
 *   only those are read and recomputed (in JavaScript: the rule has one home); "A00001234" was an id and stays one;
 * - a resolution moves to the new fingerprint. Where groups now coincide (one tenant scope, one new fingerprint)
 *   the merged group is resolved as of the earliest of their resolutions, with that one's author and note: a
 *   failure after any of them shows as a regression, so none that a part had is hidden;
 * - error group alerts follow their records (to the new fingerprint most of them moved to); of open alerts of one
 *   rule that now name one group, the first fired stays open and the others are resolved into it;
 * - the rollups count records by pipeline, status and the like, not by fingerprint: the update trigger nets the
 *   moved records out.
 *
 * Not undone: the former fingerprints split what is one error, and nothing needs them back.
 */
export class NumbersInFingerprints1700000002800 implements MigrationInterface {
  name = 'NumbersInFingerprints1700000002800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TEMPORARY TABLE fingerprint_moves (old text NOT NULL, new text NOT NULL, records bigint NOT NULL) ON COMMIT DROP',
    );
    // Record by record, in id order (one pass over the table), each batch updated by id: a fingerprint's records
    // share it by the thousand, so matching them by fingerprint and message would compare each with all the others.
    const renewed = new Map<string, string>();
    for (let after = '0'; ; ) {
      const rows: { id: string; code: string | null; message: string; fingerprint: string }[] = await q.query(
        `SELECT id, error_code AS code, error_message AS message, error_fingerprint AS fingerprint FROM records
         WHERE id > $1 AND error_fingerprint IS NOT NULL AND error_message ~ '(^|[^A-Za-z0-9_])[0-9-]{6,}($|[^A-Za-z0-9_])'
         ORDER BY id LIMIT $2`,
        [after, BATCH],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      const moves = rows
        .map((row) => ({ ...row, renewed: fingerprintOf(renewed, row.code, row.message) }))
        .filter((row) => row.renewed !== row.fingerprint);
      if (moves.length === 0) continue;
      await q.query(
        `WITH moved AS (
           UPDATE records r SET error_fingerprint = m.new
           FROM unnest($1::bigint[], $2::text[], $3::text[]) AS m(id, old, new)
           WHERE r.id = m.id
           RETURNING m.old, m.new
         )
         INSERT INTO fingerprint_moves (old, new, records) SELECT old, new, count(*) FROM moved GROUP BY old, new`,
        [moves.map((m) => m.id), moves.map((m) => m.fingerprint), moves.map((m) => m.renewed)],
      );
    }
    await q.query(`
      CREATE TEMPORARY TABLE fingerprint_pairs ON COMMIT DROP AS
        SELECT old, new, sum(records) AS records FROM fingerprint_moves GROUP BY old, new`);

    // Resolutions: each new fingerprint of a scope takes the earliest resolution among the groups it gathers,
    // its own included.
    await q.query(`
      INSERT INTO error_group_resolutions (tenant_id, fingerprint, resolved_at, resolved_by, resolution_note)
      SELECT DISTINCT ON (res.tenant_id, p.new) res.tenant_id, p.new, res.resolved_at, res.resolved_by, res.resolution_note
      FROM fingerprint_pairs p JOIN error_group_resolutions res ON res.fingerprint = p.old
      ORDER BY res.tenant_id, p.new, res.resolved_at
      ON CONFLICT ON CONSTRAINT error_group_resolutions_scope DO UPDATE
        SET resolved_at = EXCLUDED.resolved_at, resolved_by = EXCLUDED.resolved_by, resolution_note = EXCLUDED.resolution_note
        WHERE EXCLUDED.resolved_at < error_group_resolutions.resolved_at`);
    // A former fingerprint no record carries any more has nothing left to resolve.
    await q.query(`
      DELETE FROM error_group_resolutions res
      WHERE res.fingerprint IN (SELECT old FROM fingerprint_pairs)
        AND NOT EXISTS (SELECT 1 FROM records r WHERE r.error_fingerprint = res.fingerprint)`);

    // Error group alerts (their target is the fingerprint): to where most of their group's records went.
    await q.query(`
      CREATE TEMPORARY TABLE alert_moves ON COMMIT DROP AS
        SELECT a.id, a.rule_id, a.state, a.fired_at, target.new
        FROM alerts a
        JOIN LATERAL (SELECT p.new FROM fingerprint_pairs p WHERE p.old = a.fingerprint ORDER BY p.records DESC, p.new LIMIT 1) target ON true
        WHERE a.fingerprint IS NOT NULL AND a.target_key = a.fingerprint`);
    // One open alert per rule and group: the first fired (one already on the new fingerprint included) stays.
    await q.query(`
      WITH open AS (
        SELECT id, rule_id, new AS target, fired_at FROM alert_moves WHERE state <> 'RESOLVED'
        UNION ALL
        SELECT a.id, a.rule_id, a.target_key, a.fired_at FROM alerts a
        WHERE a.state <> 'RESOLVED' AND a.target_key IN (SELECT new FROM fingerprint_pairs) AND a.id NOT IN (SELECT id FROM alert_moves)
      ), ranked AS (
        SELECT id, row_number() OVER (PARTITION BY rule_id, target ORDER BY fired_at, id) AS n FROM open
      )
      UPDATE alerts a SET state = 'RESOLVED', resolved_at = now() FROM ranked WHERE a.id = ranked.id AND ranked.n > 1`);
    await q.query(`UPDATE alerts a SET fingerprint = m.new, target_key = m.new FROM alert_moves m WHERE a.id = m.id`);
  }

  /** Nothing to undo in the schema; the former fingerprints are not brought back (they split one error in two). */
  async down(): Promise<void> {}
}
