// The table list drizzle-kit reads; application code imports each table from its own file.
export * from './accounts.ts';
export * from './members.ts';
export * from './roles.ts';
export * from './teams.ts';
export * from './tokens.ts';
export * from './projects.ts';
export * from './audit.ts';
