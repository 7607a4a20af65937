import { sql, type Kysely } from 'kysely';

/*
 * Time-ordered ids (UUID version 7: 48 bits of milliseconds, then random bits) for the tables that
 * grow with the subscriber base. Random ids scatter neighbours over the whole table: a billing run
 * that walks subscribers in id order would touch a random heap page and a random page of every
 * index for each subscriber and subscription, and at a million subscribers that is more pages than
 * memory holds (each written again after every checkpoint). With ordered ids, a range of subscribers
 * is a range of pages, in the heap and in the indexes keyed by subscriber or subscription.
 * PostgreSQL 18 has uuidv7(); this function gives the same layout on 15 and on PGlite. Existing rows
 * keep their ids: only the default changes.
 */
const tables = [
  'subscribers',
  'subscriber_contacts',
  'subscriber_addresses',
  'subscriber_notes',
  'subscriber_documents',
  'subscriptions',
  'invoices',
  'journal_entries',
  'ledger_accounts',
  'discount_redemptions',
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create function uuid_v7() returns uuid language sql volatile parallel safe as $$
    select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
             placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
  $$`.execute(db);
  for (const table of tables) await sql`alter table ${sql.table(table)} alter column id set default uuid_v7()`.execute(db);
}
