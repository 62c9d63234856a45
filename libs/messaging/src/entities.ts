import { Column, CreateDateColumn, Entity, Generated, Index, PrimaryColumn } from 'typeorm';

/**
 * An event waiting to be published, written in the same transaction as the state change it
 * describes (transactional outbox). The relay publishes it with `Nats-Msg-Id = id`.
 */
@Entity({ name: 'outbox' })
@Index('outbox_unpublished_idx', ['seq'], { where: 'published_at IS NULL' })
export class OutboxMessage {
  @PrimaryColumn('uuid')
  id!: string;

  /** Commit-independent order of writing; `created_at` ties within a transaction. */
  @Column('bigint')
  @Generated('increment')
  seq!: string;

  @Column('text')
  subject!: string;

  @Column('text')
  type!: string;

  @Column('jsonb')
  envelope!: Record<string, unknown>;

  @Column('jsonb', { default: {} })
  headers!: Record<string, string>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt!: Date | null;

  @Column('int', { name: 'publish_attempts', default: 0 })
  publishAttempts!: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;
}

/** One row per (consumer, event) handled: a redelivered event finds its row and is not handled again. */
@Entity({ name: 'inbox' })
export class InboxMessage {
  @PrimaryColumn('text')
  consumer!: string;

  @PrimaryColumn('uuid', { name: 'event_id' })
  eventId!: string;

  @Column('text')
  type!: string;

  @CreateDateColumn({ name: 'handled_at', type: 'timestamptz' })
  handledAt!: Date;
}

export type DeadLetterStatus = 'parked' | 'replayed';

/** A message that kept failing, parked where an operator can read it and replay it. */
@Entity({ name: 'dead_letters' })
@Index('dead_letters_status_idx', ['status', 'parkedAt'])
export class DeadLetter {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  consumer!: string;

  @Column('text')
  subject!: string;

  @Column('uuid', { name: 'event_id', nullable: true })
  eventId!: string | null;

  @Column('text', { nullable: true })
  type!: string | null;

  /** The raw message as received (text, since a poison message may not even be JSON). */
  @Column('text')
  payload!: string;

  @Column('jsonb', { default: {} })
  headers!: Record<string, string>;

  @Column('text')
  error!: string;

  @Column('int')
  attempts!: number;

  @Column('text', { default: 'parked' })
  status!: DeadLetterStatus;

  @CreateDateColumn({ name: 'parked_at', type: 'timestamptz' })
  parkedAt!: Date;

  @Column('timestamptz', { name: 'replayed_at', nullable: true })
  replayedAt!: Date | null;
}

export const MESSAGING_ENTITIES = [OutboxMessage, InboxMessage, DeadLetter];
