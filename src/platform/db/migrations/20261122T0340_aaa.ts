import type { Kysely } from 'kysely';

/* Reserved for the AAA issue's work in progress: replaced with the tables before it ships. */
export async function up(_db: Kysely<any>): Promise<void> {}
