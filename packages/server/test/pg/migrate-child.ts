// One "instance starting": applies the migrations to the database given as argument (migrate.test.ts).
import { migratePg } from '../../src/db/pg/client.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: migrate-child.ts <database url>');
await migratePg(url);
console.log('migrated');
