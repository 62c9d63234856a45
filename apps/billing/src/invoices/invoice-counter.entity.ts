import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Last invoice number issued per year; locked by the transaction that issues the next one (gapless). */
@Entity({ name: 'invoice_counters' })
export class InvoiceCounter {
  @PrimaryColumn('integer')
  year!: number;

  @Column('integer')
  last!: number;
}
