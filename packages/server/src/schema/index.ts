// Wiring only: each concept file defines its types and its own query/mutation fields.
import { builder } from '../builder.ts';
import './common.ts';
import './viewer.ts';
import './member.ts';
import './session.ts';
import './account.ts';
import './api-version.ts';
import './member-admin.ts';
import './token.ts';
import './role.ts';
import './team.ts';
import './project.ts';
import './access.ts';
import './audit.ts';

export const schema = builder.toSchema({ sortSchema: true });
