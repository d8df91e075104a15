import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Live updates read events in (xid, id) order: the only order in which no committed event can appear behind a reader. */
export class EventPosition1700000000300 implements MigrationInterface {
  name = 'EventPosition1700000000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX events_position ON events (xid, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX events_position');
  }
}
