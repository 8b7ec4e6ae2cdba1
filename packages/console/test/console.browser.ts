import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@latchkey/sdk';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, openBrowser, OWNER, SCREENSHOTS, startLatchkey, type Browser, type RunningLatchkey } from './harness.ts';

/** The console in Debian's chromium against a real server: the seed documents' flows, end to end. */

const VIEWER = '{ viewer { credentialKind member { email } } }';
const READER = { email: 'reader@console.test', password: 'reader password for the console test', name: 'Rita Reader' };
const ADMIN = { email: 'admin@console.test', password: 'admin password for the console test', name: 'Ada Admin' };

let server: RunningLatchkey;
beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startLatchkey();
  // A reader, invited by the owner through the SDK, who accepts with a password.
  const owner = createClient({ url: server.graphql });
  const { secret } = await owner.login({ email: OWNER.email, password: OWNER.password });
  const invite = await owner.withToken(secret).inviteMember({ email: READER.email, role: 'READER' });
  await owner.acceptInvite({ inviteCode: invite.inviteCode, name: READER.name, password: READER.password });
  const adminInvite = await owner.withToken(secret).inviteMember({ email: ADMIN.email, role: 'ADMIN' });
  await owner.acceptInvite({ inviteCode: adminInvite.inviteCode, name: ADMIN.name, password: ADMIN.password });
});
afterAll(async () => {
  await server?.stop();
});

/** Every page is watched for script errors and CSP violations: a console that breaks its own CSP fails here. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return problems;
}

async function logIn(page: Page, who: { email: string; password: string }) {
  await page.goto('/');
  await page.getByRole('heading', { name: 'Log in to Latchkey' }).waitFor();
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Access tokens' }).waitFor();
}

describe('the seed flow: Access tokens → New token → Save token → secret once → reset → delete', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await openBrowser(server.origin);
  });
  afterAll(async () => browser?.close());

  it('creates a READER token, shows its secret once, keeps it obscured after reload, resets it with a grace period and deletes it (401)', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    await logIn(page, OWNER);
    // The session secret is in this tab's sessionStorage, never in localStorage.
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('latchkey.session'))).toMatch(/^lku_/);

    await page.getByRole('button', { name: 'New token' }).click();
    const form = page.getByRole('form', { name: 'Create an access token' });
    await form.waitFor();
    await form.getByLabel('Name').fill('ci-reader');
    await form.getByLabel('Description').fill('read-only integration');
    await form.getByLabel('Role', { exact: true }).selectOption('READER');
    await expect(form.getByLabel('Expiration').inputValue()).resolves.toBe('30');
    await form.getByLabel('Expiration').selectOption('never');
    await expect(form.getByText('This token will never expire').isVisible()).resolves.toBe(true);
    await form.getByLabel('Expiration').selectOption('90');
    await page.screenshot({ path: join(SCREENSHOTS, 'create-token.png'), fullPage: true });
    await form.getByRole('button', { name: 'Save token' }).click();

    const shown = page.getByRole('region', { name: 'Your new token ci-reader' });
    await shown.waitFor();
    await expect(shown.getByText("you won't be able to see it again").isVisible()).resolves.toBe(true);
    const secret = await shown.getByLabel('Secret').inputValue();
    expect(secret).toMatch(/^lkp_/);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await shown.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await page.screenshot({ path: join(SCREENSHOTS, 'secret-shown-once.png'), fullPage: true });

    // The copied secret works against the GraphQL API, as a personal token.
    const works = await callApi(server.graphql, secret, VIEWER);
    expect(works.status).toBe(200);
    expect(works.data).toMatchObject({ viewer: { credentialKind: 'PERSONAL', member: { email: OWNER.email } } });

    // After a reload: listed, obscured, and the secret is nowhere on the page.
    await page.reload();
    const row = page.getByRole('row', { name: /ci-reader/ });
    await row.waitFor();
    await expect(row.getByText('Role: Reader').isVisible()).resolves.toBe(true);
    const obscured = await row.locator('code').first().textContent();
    expect(obscured).toContain('…');
    expect(obscured?.endsWith(secret.slice(-4))).toBe(true);
    expect(await page.content()).not.toContain(secret);
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(secret);
    await page.screenshot({ path: join(SCREENSHOTS, 'access-tokens.png') });

    // Reset with a grace period: a new secret; the old one keeps working for the day given.
    await row.getByRole('button', { name: 'Reset' }).click();
    const resetDialog = page.getByRole('alertdialog', { name: 'Reset ci-reader?' });
    await resetDialog.getByLabel('Old secret keeps working').selectOption({ label: 'For 1 day' });
    await resetDialog.getByRole('button', { name: 'Reset token' }).click();
    const reshown = page.getByRole('region', { name: 'New secret for ci-reader' });
    await reshown.waitFor();
    const newSecret = await reshown.getByLabel('Secret').inputValue();
    expect(newSecret).toMatch(/^lkp_/);
    expect(newSecret).not.toBe(secret);
    expect((await callApi(server.graphql, secret, VIEWER)).status).toBe(200);
    expect((await callApi(server.graphql, newSecret, VIEWER)).status).toBe(200);
    await reshown.getByRole('button', { name: 'Done' }).click();

    // Delete, confirmed: every later call with either secret gets 401.
    await page.getByRole('row', { name: /ci-reader/ }).getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete ci-reader?' });
    await expect(confirm.getByText('401 Unauthorized').isVisible()).resolves.toBe(true);
    await confirm.getByRole('button', { name: 'Delete token' }).click();
    await page.getByRole('row', { name: /ci-reader/ }).waitFor({ state: 'detached' });
    expect((await callApi(server.graphql, secret, VIEWER)).status).toBe(401);
    expect((await callApi(server.graphql, newSecret, VIEWER)).status).toBe(401);
    expect(problems).toEqual([]);
  });

  it('clones and edits a token from the list (name, description and scope), and logs out', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    await logIn(page, OWNER);
    await page.getByRole('button', { name: 'New token' }).click();
    const form = page.getByRole('form', { name: 'Create an access token' });
    await form.getByLabel('Name').fill('deploy');
    await form.getByLabel('Role', { exact: true }).selectOption('WRITER');
    await form.getByRole('button', { name: 'Save token' }).click();
    await page.getByRole('region', { name: 'Your new token deploy' }).getByRole('button', { name: 'Done' }).click();

    await page.getByRole('row', { name: /deploy/ }).getByRole('button', { name: 'Clone' }).click();
    const clone = page.getByRole('alertdialog', { name: 'Clone deploy' });
    await clone.getByLabel('Name of the clone').fill('deploy-2');
    await clone.getByRole('button', { name: 'Clone token' }).click();
    const cloned = page.getByRole('region', { name: 'Your new token deploy-2' });
    const cloneSecret = await cloned.getByLabel('Secret').inputValue();
    expect((await callApi(server.graphql, cloneSecret, VIEWER)).status).toBe(200);
    await cloned.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('row', { name: /deploy-2/ }).getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit deploy-2' });
    await edit.getByLabel('Name').fill('deploy-readonly');
    await edit.getByLabel('Description').fill('now read-only');
    await edit.getByLabel('Role', { exact: true }).selectOption('READER');
    await edit.getByRole('button', { name: 'Save token' }).click();
    const edited = page.getByRole('row', { name: /deploy-readonly/ });
    await edited.waitFor();
    await expect(edited.getByText('Role: Reader').isVisible()).resolves.toBe(true);
    await expect(edited.getByText('now read-only').isVisible()).resolves.toBe(true);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to Latchkey' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('latchkey.session'))).toBeNull();
    expect(problems).toEqual([]);
  });
});

describe('what a member may not do is disabled with the reason the server gives', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await openBrowser(server.origin);
  });
  afterAll(async () => browser?.close());

  it('a reader cannot choose WRITER for a token: the choice is disabled with its reason', async () => {
    // A custom role the reader does not hold (made by the owner through the SDK).
    const sdk = createClient({ url: server.graphql });
    const { secret } = await sdk.login({ email: OWNER.email, password: OWNER.password });
    await sdk.withToken(secret).createRole({ key: 'ops-viewer', name: 'Ops viewer', policy: [{ effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/ops'] }] });

    const page = await browser.context.newPage();
    const problems = watch(page);
    await logIn(page, READER);
    await page.getByRole('button', { name: 'New token' }).click();
    const form = page.getByRole('form', { name: 'Create an access token' });
    const role = form.getByLabel('Role', { exact: true });
    await form.getByText(/Not available to you: Writer/).waitFor();
    // Each option is the server's dry run of that token: its cap, in its words, and the first exceeding action.
    const writer = role.locator('option[value="WRITER"]');
    expect(await writer.isDisabled()).toBe(true);
    expect(await writer.textContent()).toMatch(/not available: Not allowed: readers can create reader tokens only: a writer token would do more than you can \(first beyond your permissions: createProject on proj\/\*\)/);
    expect(await role.locator('option[value="OWNER"]').textContent()).toMatch(/readers can create reader tokens only: a owner token/);
    expect(await role.locator('option[value="READER"]').isDisabled()).toBe(false);
    // A service token is out of a reader's reach too, and says why.
    expect(await form.getByLabel('This is a service token').isDisabled()).toBe(true);
    await expect(form.getByText(/Not allowed: no statement allows createAccessToken on service-token\//).isVisible()).resolves.toBe(true);
    // A custom role the reader does not hold: disabled, with the server's reason beside it.
    await form.getByRole('radio', { name: 'Custom roles' }).check();
    const opsViewer = form.getByRole('checkbox', { name: /Ops viewer/ });
    await form.getByText(/custom role "ops-viewer" is not one of yours: only admins and owners can give a token a role they do not hold/).waitFor();
    expect(await opsViewer.isDisabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'reader-custom-roles.png'), fullPage: true });
    await form.getByRole('button', { name: 'Cancel' }).click();
    // The reader's own rows: members and roles controls are disabled with reasons.
    await page.getByRole('link', { name: 'Members' }).click();
    const invite = page.getByRole('button', { name: 'Invite member' });
    await invite.waitFor();
    await expect.poll(() => invite.isDisabled()).toBe(true);
    await expect(page.getByText(/Not allowed: .*createMember on member\/\*/).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'reader-members.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('an inline policy beyond your permissions (concrete, a pattern, notActions) shows the exceeding action and resource before saving, and the server refuses it the same', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    await logIn(page, READER);
    await page.getByRole('button', { name: 'New token' }).click();
    const form = page.getByRole('form', { name: 'Create an access token' });
    await form.getByLabel('Name').fill('too-much');
    await form.getByRole('radio', { name: 'Inline policy' }).check();
    const editor = form.getByRole('textbox', { name: 'Inline policy' });
    await editor.fill('[{ "effect": "allow", "actions": ["createProject"], "resources": ["proj/web"] }');
    await form.getByText(/Not valid JSON/).waitFor();
    await editor.fill('[{ "effect": "allow", "actions": ["createProject"], "resources": ["proj/web"] }]');
    await form.getByText(/Exceeds your permissions: createProject on proj\/web — a token can never do more than its creator/).waitFor();
    // A pattern, decided before saving too (no longer left to the server at save time).
    await editor.fill('[{ "effect": "allow", "actions": ["createProject"], "resources": ["proj/*"] }]');
    await form.getByText(/Exceeds your permissions: createProject on proj\/\* — /).waitFor();
    // Within the reader's permissions, though written with notResources: valid, nothing deferred.
    await editor.fill('[{ "effect": "allow", "actions": ["viewProject"], "notResources": ["proj/web"] }]');
    await form.getByText(/Valid policy \(1 statement\)/).waitFor();
    expect(await form.getByText(/Exceeds your permissions/).count()).toBe(0);
    expect(await form.getByText(/checked by the server when you save/).count()).toBe(0);
    // The server's own validation, before saving: an unknown action is named where it is.
    await editor.fill('[{ "effect": "allow", "actions": ["bogusAction"], "resources": ["proj/*"] }]');
    await form.getByText('inlinePolicy[0].actions[0]: unknown action "bogusAction" for proj').waitFor();
    // notActions: the first action it would give beyond the reader's is shown before saving,
    // and Save is refused naming that same action and resource.
    await editor.fill('[{ "effect": "allow", "notActions": ["viewProject"], "resources": ["proj/*"] }]');
    const exceeds = form.getByText(/Exceeds your permissions: \S+ on \S+ — /);
    await exceeds.waitFor();
    const [, action, resource] = /Exceeds your permissions: (\S+) on (\S+) — /.exec((await exceeds.textContent()) ?? '') ?? [];
    expect(action).not.toBe('viewProject');
    await page.screenshot({ path: join(SCREENSHOTS, 'inline-policy-exceeds.png'), fullPage: true });
    await form.getByRole('button', { name: 'Save token' }).click();
    const notActionsRefused = form.getByRole('alert').filter({ hasText: 'FORBIDDEN' });
    await notActionsRefused.waitFor();
    expect(await notActionsRefused.textContent()).toContain(`${action} on ${resource}`);
    // Nothing was created.
    await form.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('row', { name: /too-much/ }).count()).toBe(0);
    expect(problems).toEqual([]);
  });
});

describe('the dry run never shows an answer for an input that has since changed', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await openBrowser(server.origin);
  });
  afterAll(async () => browser?.close());

  it('a slow refusal for an earlier policy arrives after the answer for the current one, and is dropped', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    // The form's dry run of the earlier policy (it names "proj/slow") is held back until the later one answered.
    const isSlow = (body: string | null) => (body ?? '').includes('query CheckTokenScope') && (body ?? '').includes('"proj/slow"');
    let releaseSlow: () => void = () => {};
    const slowHeld = new Promise<void>((resolve) => (releaseSlow = resolve));
    await page.route('**/graphql', async (route) => {
      if (isSlow(route.request().postData())) await slowHeld;
      await route.continue();
    });
    await logIn(page, READER);
    await page.getByRole('button', { name: 'New token' }).click();
    const form = page.getByRole('form', { name: 'Create an access token' });
    await form.getByRole('radio', { name: 'Inline policy' }).check();
    const editor = form.getByRole('textbox', { name: 'Inline policy' });
    const slowAsked = page.waitForRequest((r) => isSlow(r.postData()));
    await editor.fill('[{ "effect": "allow", "actions": ["createProject"], "resources": ["proj/slow"] }]');
    await slowAsked;
    await editor.fill('[{ "effect": "allow", "actions": ["viewProject"], "resources": ["proj/slow-no-more"] }]');
    await form.getByText(/Valid policy \(1 statement\)/).waitFor();
    // Now the earlier (refused) answer arrives: it is not shown.
    const slowAnswered = page.waitForResponse((r) => isSlow(r.request().postData()));
    releaseSlow();
    const slow = await slowAnswered;
    expect(JSON.stringify(await slow.json())).toContain('"allowed":false');
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await form.getByText(/Exceeds your permissions/).count()).toBe(0);
    await expect(form.getByText(/Valid policy \(1 statement\)/).isVisible()).resolves.toBe(true);
    expect(problems).toEqual([]);
  });
});

describe('an admin: every base role, but never an OWNER service token', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await openBrowser(server.origin);
  });
  afterAll(async () => browser?.close());

  it('the OWNER + service-token combination is disabled from either side, with the server\'s reason', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    await logIn(page, ADMIN);
    await page.getByRole('button', { name: 'New token' }).click();
    const form = page.getByRole('form', { name: 'Create an access token' });
    const role = form.getByLabel('Role', { exact: true });
    const service = form.getByLabel('This is a service token');
    // A personal token of any base role is within an admin's reach.
    await expect.poll(() => service.isDisabled()).toBe(false);
    for (const r of ['READER', 'WRITER', 'ADMIN', 'OWNER']) expect(await role.locator(`option[value="${r}"]`).isDisabled(), r).toBe(false);
    expect(await form.getByText(/Not available to you/).count()).toBe(0);

    // OWNER chosen: a service token of it would do more than its creator, so the checkbox is off.
    await role.selectOption('OWNER');
    await form.getByText(/Not allowed: a service token can never do more than its creator: .*updateServiceTokenLimit on acct/).waitFor();
    expect(await service.isDisabled()).toBe(true);

    // READER chosen and the service token ticked: now OWNER is the option disabled, with the same reason.
    await role.selectOption('READER');
    await expect.poll(() => service.isDisabled()).toBe(false);
    await service.check();
    const owner = role.locator('option[value="OWNER"]');
    await form.getByText(/Not available to you: Owner \(Not allowed: a service token can never do more than its creator/).waitFor();
    expect(await owner.isDisabled()).toBe(true);
    expect(await owner.textContent()).toMatch(/not available: Not allowed: a service token can never do more than its creator: .*updateServiceTokenLimit on acct/);
    expect(await role.locator('option[value="ADMIN"]').isDisabled()).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-owner-service-token.png'), fullPage: true });

    // Unticked again: OWNER is back.
    await service.uncheck();
    await expect.poll(() => owner.isDisabled()).toBe(false);
    expect(await form.getByText(/Not available to you/).count()).toBe(0);

    // The rest of the form is dry-run too: an expiry in the past is named before saving.
    await form.getByLabel('Expiration').selectOption('custom');
    await form.getByLabel('Expires on').fill('2001-02-03T04:05');
    await form.getByText('expiresAt: must be in the future').waitFor();
    expect(problems).toEqual([]);
  });
});

describe('the console at 390 px, from the keyboard', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await openBrowser(server.origin, { width: 390, height: 844 });
  });
  afterAll(async () => browser?.close());

  it('logs in with the keyboard, folds the navigation behind Menu, creates a token, and never scrolls sideways', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    await page.goto('/');
    await page.getByLabel('Email').focus();
    await page.keyboard.type(OWNER.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(OWNER.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Access tokens' }).waitFor();

    const members = page.getByRole('link', { name: 'Members' });
    expect(await members.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    expect(await members.isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Menu' }).click();

    await page.getByRole('button', { name: 'New token' }).click();
    const form = page.getByRole('form', { name: 'Create an access token' });
    await form.getByLabel('Name').fill('phone');
    await form.getByRole('button', { name: 'Save token' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Your new token phone' }).waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('row', { name: /phone/ }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'access-tokens-390px.png'), fullPage: true });

    // Every page, reached through the folded navigation, fits the width.
    for (const [link, heading] of [['Members', 'Members'], ['Roles', 'Roles'], ['Teams', 'Teams'], ['Audit log', 'Audit log'], ['Check access', 'Check access']] as const) {
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      expect(await page.getByRole('link', { name: link }).isVisible(), `${link}: the menu folds again`).toBe(false);
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(sideways, link).toBeLessThanOrEqual(0);
    }
    expect(problems).toEqual([]);
  });
});

describe('the other pages', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await openBrowser(server.origin);
  });
  afterAll(async () => browser?.close());

  it('creates a role with a validated policy, gives it to a member, and explains a decision in Check access; the audit log names who and through which credential', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    await logIn(page, OWNER);

    await page.getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('button', { name: 'New role' }).click();
    const roleForm = page.getByRole('form', { name: 'Create a custom role' });
    await roleForm.getByLabel('Key').fill('flag-flipper');
    await roleForm.getByLabel('Name').fill('Flag flipper');
    const policy = roleForm.getByRole('textbox', { name: 'Policy' });
    await policy.fill('[{ "effect": "allow", "actions": ["updateOn"] }]');
    await roleForm.getByText('give exactly one of resources or notResources').waitFor();
    expect(await roleForm.getByRole('button', { name: 'Save role' }).isDisabled()).toBe(true);
    await policy.fill('[{ "effect": "allow", "actions": ["updateOn"], "resources": ["proj/*:env/test:flag/*"] }]');
    await roleForm.getByText(/Valid policy \(1 statement\)/).waitFor();
    await roleForm.getByRole('button', { name: 'Save role' }).click();
    await page.getByRole('row', { name: /flag-flipper/ }).waitFor();

    await page.getByRole('link', { name: 'Members' }).click();
    const readerRow = page.getByRole('row', { name: new RegExp(READER.email) });
    await readerRow.getByRole('button', { name: 'Change role' }).click();
    await readerRow.getByRole('checkbox', { name: 'Flag flipper' }).check();
    await readerRow.getByRole('button', { name: 'Save member' }).click();
    await page.getByRole('row', { name: new RegExp(READER.email) }).getByText('Flag flipper').waitFor();

    await page.getByRole('link', { name: 'Check access' }).click();
    await page.getByLabel('Action').fill('updateServiceTokenLimit');
    await page.getByLabel('Resource').fill('acct');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const decision = page.getByRole('region', { name: 'Allowed' });
    await decision.waitFor();
    await expect(decision.getByText('base:owner', { exact: true }).isVisible()).resolves.toBe(true);

    // For a personal READER token of the owner: denied, and the token (not its owner) is the limit.
    const sdk = createClient({ url: server.graphql });
    const { secret } = await sdk.login({ email: OWNER.email, password: OWNER.password });
    await sdk.withToken(secret).createToken({ name: 'checker', role: 'READER' });
    await page.reload();
    await page.getByLabel('Credential').selectOption({ label: `Token checker (personal, ${OWNER.email})` });
    await page.getByLabel('Action').fill('createProject');
    await page.getByLabel('Resource').fill('proj/web');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const denied = page.getByRole('region', { name: 'Denied' });
    await denied.waitFor();
    await expect(denied.getByText("Limited by the token's own scope.").isVisible()).resolves.toBe(true);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Action').fill('updateCustomRole*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const entry = page.getByRole('row', { name: /Session/ }).first();
    await entry.waitFor();
    expect(await entry.textContent()).toMatch(/owner@console\.test|Owner/i);
    await page.screenshot({ path: join(SCREENSHOTS, 'audit-log.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});

describe('members, teams, mine or all, and paging', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await openBrowser(server.origin);
  });
  afterAll(async () => browser?.close());

  it('invites a member with a role (the invite code shown once), changes their role, and removes them after a confirmation', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    await logIn(page, OWNER);
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('button', { name: 'Invite member' }).click();
    const invite = page.getByRole('form', { name: 'Invite a member' });
    await invite.getByLabel('Email').fill('wendy@console.test');
    await invite.getByLabel('Name').fill('Wendy Writer');
    await invite.getByLabel('Role').selectOption('WRITER');
    await invite.getByRole('button', { name: 'Send invite' }).click();
    const code = await invite.getByLabel('Invite code').inputValue();
    expect(code).toMatch(/^lki_/);
    await invite.getByRole('button', { name: 'Done' }).click();

    const row = page.getByRole('row', { name: /wendy@console\.test/ });
    await row.waitFor();
    await expect(row.getByText('Writer', { exact: true }).isVisible()).resolves.toBe(true);
    await row.getByRole('button', { name: 'Change role' }).click();
    await row.getByLabel('Role', { exact: true }).selectOption('ADMIN');
    await row.getByRole('button', { name: 'Save member' }).click();
    await page.getByRole('row', { name: /wendy@console\.test/ }).getByText('Admin', { exact: true }).waitFor();

    // Removing needs a confirmation; Escape backs out, and the member stays.
    await page.getByRole('row', { name: /wendy@console\.test/ }).getByRole('button', { name: 'Remove' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove wendy@console.test?' });
    await confirm.waitFor();
    expect(await confirm.getByRole('button', { name: 'Remove member' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('row', { name: /wendy@console\.test/ }).getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('alertdialog', { name: 'Remove wendy@console.test?' }).getByRole('button', { name: 'Remove member' }).click();
    await page.getByRole('row', { name: /wendy@console\.test/ }).getByText('removed').waitFor();
    expect(problems).toEqual([]);
  });

  it('creates a team with a member and a custom role', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    const sdk = createClient({ url: server.graphql });
    const { secret } = await sdk.login({ email: OWNER.email, password: OWNER.password });
    await sdk.withToken(secret).createRole({ key: 'viewer-of-web', name: 'Web viewer', policy: [{ effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/web'] }] });
    await logIn(page, OWNER);
    await page.getByRole('link', { name: 'Teams' }).click();
    await page.getByRole('button', { name: 'New team' }).click();
    const form = page.getByRole('form', { name: 'Create a team' });
    await form.getByLabel('Key').fill('web');
    await form.getByLabel('Name').fill('Web team');
    await form.getByRole('checkbox', { name: READER.name }).check();
    await form.getByRole('checkbox', { name: 'Web viewer' }).check();
    await form.getByRole('button', { name: 'Save team' }).click();
    const row = page.getByRole('row', { name: /Web team/ });
    await row.waitFor();
    await expect(row.getByText(READER.name).isVisible()).resolves.toBe(true);
    await expect(row.getByText('Web viewer').isVisible()).resolves.toBe(true);
    // A second team with the same key: the server's CONFLICT is shown in the form.
    await page.getByRole('button', { name: 'New team' }).click();
    const again = page.getByRole('form', { name: 'Create a team' });
    await again.getByLabel('Key').fill('web');
    await again.getByLabel('Name').fill('Web again');
    await again.getByRole('button', { name: 'Save team' }).click();
    await again.getByRole('alert').filter({ hasText: 'CONFLICT' }).waitFor();
    expect(problems).toEqual([]);
  });

  it("those who may see every token choose mine or all; a reader is offered only their own", async () => {
    const sdk = createClient({ url: server.graphql });
    const { secret } = await sdk.login({ email: READER.email, password: READER.password });
    await sdk.withToken(secret).createToken({ name: 'readers-own', role: 'READER' });

    const ownerPage = await browser.context.newPage();
    await logIn(ownerPage, OWNER);
    expect(await ownerPage.getByRole('row', { name: /readers-own/ }).count()).toBe(0);
    await ownerPage.getByRole('radio', { name: 'All tokens' }).check();
    const row = ownerPage.getByRole('row', { name: /readers-own/ });
    await row.waitFor();
    await expect(row.getByText(READER.name).isVisible()).resolves.toBe(true);
    await ownerPage.close();

    const readerBrowser = await openBrowser(server.origin);
    try {
      const page = await readerBrowser.context.newPage();
      await logIn(page, READER);
      await page.getByRole('row', { name: /readers-own/ }).waitFor();
      // The server's answer arrives after the first paint: the toggle never appears for a reader.
      await page.getByRole('button', { name: 'New token' }).waitFor();
      await expect.poll(() => page.getByRole('button', { name: 'New token' }).isEnabled()).toBe(true);
      expect(await page.getByRole('radio', { name: 'All tokens' }).count()).toBe(0);
    } finally {
      await readerBrowser.close();
    }
  });

  it('pages through the audit log', async () => {
    const sdk = createClient({ url: server.graphql });
    const { secret } = await sdk.login({ email: OWNER.email, password: OWNER.password });
    const owner = sdk.withToken(secret);
    for (let i = 0; i < 25; i++) await owner.createToken({ name: `paged-${String(i).padStart(2, '0')}`, role: 'READER' });
    const page = await browser.context.newPage();
    const problems = watch(page);
    await logIn(page, OWNER);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Text').fill('paged-');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.getByRole('table').getByRole('row');
    await page.getByRole('row', { name: /paged-24/ }).waitFor();
    expect(await rows.count()).toBe(21); // header + 20 entries, newest first
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('row', { name: /paged-00/ }).waitFor();
    expect(await rows.count()).toBe(6);
    expect(await page.getByRole('row', { name: /paged-24/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByRole('row', { name: /paged-24/ }).waitFor();
    expect(problems).toEqual([]);
  });
});
