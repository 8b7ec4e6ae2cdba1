import * as G from '../gql/graphql.ts';
import { op, required } from './op.ts';

/** Member administration: invite, accept, update, remove. */
export const membersOperations = {
  /**
   * Invites a member (needs `createMember`). No mail is sent: hand the invite code to the person.
   * @returns the invited member (status INVITED) and the invite code — shown this once
   * @throws LatchkeyError `CONFLICT` when the email is taken, `FORBIDDEN` above your own permissions
   */
  inviteMember: op(function (input: G.InviteMemberInput) { return this.request(G.InviteMemberDocument, { input }).then((d) => required(d.inviteMember)); }),
  /**
   * Accepts an invitation with the code, choosing a name and password (works without a credential).
   * @returns a session secret (shown once) and the now active member
   */
  acceptInvite: op(function (input: G.AcceptInviteInput) { return this.request(G.AcceptInviteDocument, { input }).then((d) => required(d.acceptInvite)); }),
  /**
   * Changes a member's base role, custom roles or role attributes — only the fields given; lists replace.
   * @returns the updated member
   * @remarks only an owner makes or unmakes an owner; the last owner cannot be downgraded (`CONFLICT`)
   */
  updateMember: op(function (input: G.UpdateMemberInput) { return this.request(G.UpdateMemberDocument, { input }).then((d) => required(d.updateMember).member); }),
  /**
   * Removes a member: their sessions end and their personal tokens stop working at once.
   * @returns the removed member's id
   */
  removeMember: op(function (input: G.RemoveMemberInput) { return this.request(G.RemoveMemberDocument, { input }).then((d) => required(d.removeMember).removedMemberId); }),
  /** A member with their custom roles and teams. @throws LatchkeyError `NOT_FOUND` for any id outside your account */
  memberAccess: op(function (id: string) { return this.request(G.MemberAccessDocument, { id }).then((d) => d.member); }),
};
