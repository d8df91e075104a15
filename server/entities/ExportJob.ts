import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ExportStatus } from '../domain/enums.js';

export enum ExportKind {
  RECORDS = 'RECORDS',
  RUNS = 'RUNS',
}

@ObjectType({
  description:
    'A CSV export of records or runs matching a filter. Poll exportJob until READY, then download from downloadUrl (no API key needed) before expiresAt.',
})
@Entity('export_jobs')
export class ExportJob {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'enum', enum: ExportKind, enumName: 'export_kind' })
  kind: ExportKind;

  /** The filter as the caller gave it, as JSON. */
  @Column({ type: 'jsonb', nullable: true })
  filter: Record<string, unknown> | null;

  @Column({ name: 'row_limit', type: 'integer', nullable: true })
  rowLimit: number | null;

  /** The tenant of the key that asked: the export holds only that tenant's rows. */
  @Column({ name: 'tenant_id', type: 'text', nullable: true })
  tenantId: string | null;

  @Column({ name: 'max_record_id', type: 'bigint', nullable: true })
  maxRecordId: string | null;

  @Field(() => ExportStatus, { description: 'Where the export is: READY once its rows are counted and the file can be downloaded.' })
  @Column({ type: 'enum', enum: ExportStatus, enumName: 'export_status', default: ExportStatus.PENDING })
  status: ExportStatus;

  @Field(() => Int, { nullable: true, description: 'Rows in the file (header not counted); null until READY.' })
  @Column({ name: 'row_count', type: 'integer', nullable: true })
  rowCount: number | null;

  @Column({ type: 'text', nullable: true })
  failure: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_by_key_id', type: 'uuid', nullable: true })
  createdByKeyId: string | null;

  @Field(() => Date, { description: 'When the export was asked for; the file holds no row created after it.' })
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When downloadUrl stops working (EXPORT_URL_TTL_SECONDS after createdAt); the job is removed soon after.',
  })
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Field(() => String, {
    nullable: true,
    description:
      'Where to download the CSV (UTF-8, RFC 4180, a header row), relative to this server: /exports/<id>.csv?expires=..&sig=... Signed: it needs no API key, and any instance serves it. null until READY and after expiresAt.',
  })
  downloadUrl: string | null;
}
