export { createApp, type App } from './app.ts';
export { loadConfig, type Config } from './config.ts';
export { createLatchkeyYoga, startServer, type RunningServer } from './server.ts';
export { bootstrapOwner, createAccountWithOwner } from './services/accounts.ts';
export { schema } from './schema/index.ts';
