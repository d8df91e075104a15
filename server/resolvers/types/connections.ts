import { Field, Int, ObjectType } from 'type-graphql';
import { AuditEntry } from '../../entities/AuditEntry.js';
import { SyncRecord } from '../../entities/SyncRecord.js';
import { SyncRun } from '../../entities/SyncRun.js';
import { EXACT_COUNT_CAP } from '../../services/lists/bounded-count.js';
import type { Page } from '../../services/lists/keyset.js';

const count = (value: number) => value.toLocaleString('en-US');

/** totalCountIsExact, alike on every connection that counts. */
const TOTAL_COUNT_IS_EXACT = `Whether totalCount is the exact number of matches: false when more than ${count(EXACT_COUNT_CAP)} match. Read with totalCount from the same COUNT.`;

@ObjectType({ description: 'Where a page ends and whether another follows.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether another page follows; ask for it with after: endCursor.' })
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge of this page.' })
  endCursor: string | null;
}

@ObjectType({ description: 'A run in a list, with its position.' })
export class RunEdge {
  @Field(() => String, { description: 'Opaque position of this run in the list.' })
  cursor: string;

  @Field(() => SyncRun, { description: 'The run.' })
  node: SyncRun;
}

@ObjectType({ description: 'A page of runs.' })
export class RunConnection {
  constructor(private readonly page: Page<SyncRun>) {}

  @Field(() => [RunEdge], { description: 'The runs of this page.' })
  get edges(): RunEdge[] {
    return this.page.edges;
  }

  @Field(() => PageInfo, { description: 'Paging state.' })
  get pageInfo(): PageInfo {
    return { hasNextPage: this.page.hasNextPage, endCursor: this.page.endCursor };
  }

  @Field(() => Int, {
    description: `Runs matching the filter in all, exact up to ${count(EXACT_COUNT_CAP)}; when more match, ${count(EXACT_COUNT_CAP + 1)} (read it as "more than ${count(EXACT_COUNT_CAP)}") and totalCountIsExact is false. Counting stops there, so it never reads every match. Computed only when selected, so select it only when shown. One COUNT per connection, shared with totalCountIsExact: priced 5,000 of the 100,000 a request may cost, so at most 20 per request.`,
  })
  async totalCount(): Promise<number> {
    return (await this.page.count()).value;
  }

  @Field(() => Boolean, { description: TOTAL_COUNT_IS_EXACT })
  async totalCountIsExact(): Promise<boolean> {
    return (await this.page.count()).exact;
  }
}

@ObjectType({ description: 'A record in a list, with its position.' })
export class RecordEdge {
  @Field(() => String, { description: 'Opaque position of this record in the list.' })
  cursor: string;

  @Field(() => SyncRecord, { description: 'The record.' })
  node: SyncRecord;
}

@ObjectType({ description: 'A page of records.' })
export class RecordConnection {
  constructor(private readonly page: Page<SyncRecord>) {}

  @Field(() => [RecordEdge], { description: 'The records of this page.' })
  get edges(): RecordEdge[] {
    return this.page.edges;
  }

  @Field(() => PageInfo, { description: 'Paging state.' })
  get pageInfo(): PageInfo {
    return { hasNextPage: this.page.hasNextPage, endCursor: this.page.endCursor };
  }

  @Field(() => Int, {
    description: `Records matching the filter in all, exact up to ${count(EXACT_COUNT_CAP)}. When more match, totalCountIsExact is false and this is an estimate: the hourly rollups' count when the filter names only what they keep (pipelines, tenants, modes other than RETRY, entity types, operations, statuses, start time; they also count records purged since), else ${count(EXACT_COUNT_CAP + 1)} (read it as "more than ${count(EXACT_COUNT_CAP)}"). Counting stops at the cap, so it never reads every match. Computed only when selected, so select it only when shown. One COUNT per connection, shared with totalCountIsExact: priced 5,000 of the 100,000 a request may cost, so at most 20 per request.`,
  })
  async totalCount(): Promise<number> {
    return (await this.page.count()).value;
  }

  @Field(() => Boolean, { description: TOTAL_COUNT_IS_EXACT })
  async totalCountIsExact(): Promise<boolean> {
    return (await this.page.count()).exact;
  }
}

@ObjectType({ description: 'An audit entry in a list, with its position.' })
export class AuditEdge {
  @Field(() => String, { description: 'Opaque position of this entry in the list.' })
  cursor: string;

  @Field(() => AuditEntry, { description: 'The entry.' })
  node: AuditEntry;
}

@ObjectType({ description: 'A page of the audit log, newest first.' })
export class AuditConnection {
  @Field(() => [AuditEdge], { description: 'The entries of this page.' })
  edges: AuditEdge[];

  @Field(() => PageInfo, { description: 'Paging state.' })
  pageInfo: PageInfo;
}
