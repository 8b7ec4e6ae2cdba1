import * as G from '../gql/graphql.js';
import type { LatchkeyClient } from '../client.js';

/** Member administration: invite, accept, update, remove. */

/**
 * Invites a member (needs `createMember`). No mail is sent: hand the invite code to the person.
 * @returns the invited member (status INVITED) and the invite code — shown this once
 * @throws LatchkeyError `CONFLICT` when the email is taken, `FORBIDDEN` above your own permissions
 */
export const inviteMember = (lk: LatchkeyClient, input: G.InviteMemberInput) => lk.request(G.InviteMemberDocument, { input }).then((d) => d.inviteMember);
/**
 * Accepts an invitation with the code, choosing a name and password (works without a credential).
 * @returns a session secret (shown once) and the now active member
 */
export const acceptInvite = (lk: LatchkeyClient, input: G.AcceptInviteInput) => lk.request(G.AcceptInviteDocument, { input }).then((d) => d.acceptInvite);
/**
 * Changes a member's base role, custom roles or role attributes — only the fields given; lists replace.
 * @returns the updated member
 * @remarks only an owner makes or unmakes an owner; the last owner cannot be downgraded (`CONFLICT`)
 */
export const updateMember = (lk: LatchkeyClient, input: G.UpdateMemberInput) => lk.request(G.UpdateMemberDocument, { input }).then((d) => d.updateMember.member);
/**
 * Removes a member: their sessions end and their personal tokens stop working at once.
 * @returns the removed member's id
 */
export const removeMember = (lk: LatchkeyClient, input: G.RemoveMemberInput) => lk.request(G.RemoveMemberDocument, { input }).then((d) => d.removeMember.removedMemberId);
/** A member with their custom roles and teams. @throws LatchkeyError `NOT_FOUND` for any id outside your account */
export const memberAccess = (lk: LatchkeyClient, id: string) => lk.request(G.MemberAccessDocument, { id }).then((d) => d.member);
