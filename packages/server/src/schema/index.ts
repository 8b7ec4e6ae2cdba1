// Wiring only: each concept file defines its types and its own query/mutation fields.
import { builder } from '../builder.ts';
import './common.ts';
import './viewer.ts';
import './member.ts';
import './session.ts';
import './account.ts';
import './api-version.ts';

export const schema = builder.toSchema({ sortSchema: true });
