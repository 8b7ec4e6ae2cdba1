// Imports one operation: the bundle must hold only what `viewer` needs.
import { LatchkeyClient, viewer } from '@latchkey/sdk';

viewer(new LatchkeyClient({ url: '/graphql' })).then((v) => (document.body.textContent = v.member.email));
