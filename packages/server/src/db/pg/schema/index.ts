// The PostgreSQL table list drizzle-kit reads (drizzle.pg.config.ts); mirrors ../../schema/index.ts.
export * from './accounts.ts';
export * from './members.ts';
export * from './roles.ts';
export * from './teams.ts';
export * from './tokens.ts';
export * from './projects.ts';
export * from './audit.ts';
