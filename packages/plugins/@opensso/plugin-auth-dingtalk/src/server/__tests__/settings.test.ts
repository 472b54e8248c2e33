/**
 * Checklists G11 and G12: settings that do not parse, and `{{$env.X}}` where it would reach an anonymous answer
 * or a URL. A bad setting is refused when it is saved; one stored anyway (bypassing the save hook, as an older
 * version or a direct database write could) refuses sign-ins with CONFIG_INVALID naming it, and never widens who
 * may sign in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  CREDENTIALS,
  Harness,
  approveAtDingTalk,
  countLinks,
  countUsers,
  createAuthenticator,
  followCallback,
  people,
  signInWithDingTalk,
  startHarness,
  startSignIn,
} from './harness';

let h: Harness;
const corpId = 'dingemulatorcorp';
const NAME = 'settings';
/** Valid settings with in-app sign-in on, so that every way in can be tried. */
const GOOD = { ...CREDENTIALS, autoSignup: true, inAppSignIn: true, corpId };
const SECRET_VARIABLE = 'G12_SECRET';
const SECRET_VALUE = 'g12-secret-value-3c9e1f';
/** How the settings form labels an option (the save refusals name it so); a misspelt one is named as sent. */
const LABELS: Record<string, string> = {
  allowedCorpIds: 'Allowed DingTalk organizations',
  verifyMembership: "Check membership in the organization's directory",
  autoSignup: 'Sign up automatically when the user does not exist',
  matchBy: 'Match existing users by',
  'profileSync.email': 'Profile sync › Email',
  corpId: 'Organization corpId',
  clientId: 'Client ID',
};
/** People nobody has seen: their sign-in depends on the settings alone. */
const person = people('设置', '1370000');

/** Writes the options as they are, bypassing the save hook; then the authenticator cache, as after a restart. */
async function storeDirectly(options: Record<string, unknown>) {
  await h.app.db.getRepository('authenticators').update({ filter: { name: NAME }, values: { options }, hooks: false });
  await (h.app.pm.get('auth') as unknown as { cache: { reset(): Promise<void> } }).cache.reset();
}

/** Every call the plugin made to the emulator's API so far. */
const dingTalkCalls = () => Object.values(h.emulator.counters()).reduce((sum, n) => sum + n, 0);

async function admin() {
  const root = await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } });
  return h.app.agent().login(root, 'root');
}

/** Saves a new DingTalk authenticator through the API, as the settings page does; returns the error message. */
async function saveThroughApi(name: string, options: Record<string, unknown>, enabled = false): Promise<string | undefined> {
  return (await saveAnswer(name, options, enabled))?.message;
}

/** The first error of that save, as the settings page receives it; undefined when it was saved. */
async function saveAnswer(name: string, options: Record<string, unknown>, enabled = false) {
  const res = await (await admin()).post('/api/authenticators:create').send({ name, authType: 'dingtalk', enabled, options });
  if (res.status === 200) return undefined;
  const error = res.body.errors?.[0] ?? {};
  return { status: res.status, message: error.message ?? `status ${res.status}`, code: error.code, detail: error.detail };
}

/**
 * The three ways a stored setting is read: the start of a browser sign-in, DingTalk's callback of one started
 * before the setting changed, and an in-app sign-in. Returns what each answered, and what changed meanwhile.
 */
async function tryEveryWayIn(stored: Record<string, unknown>) {
  await storeDirectly(GOOD);
  const browser = h.app.agent();
  const started = await startSignIn(browser, NAME);
  expect(started.status).toBe(200);
  const callbackUrl = await approveAtDingTalk(h.emulator, started.body.data.url, 'zhangsan');
  const inAppCode = h.emulator.mintJsapiCode({ identity: 'zhangsan', corpId, clientId: CLIENT_ID }).code;
  await storeDirectly(stored);
  const before = { users: await countUsers(h.app), links: await countLinks(h.app, NAME), calls: dingTalkCalls() };

  const start = await startSignIn(h.app.agent(), NAME);
  const callback = await followCallback(browser, callbackUrl);
  const inApp = await h.app.agent().post('/api/auth:signIn').set('X-Authenticator', NAME).send({ inAppCode });
  const landing = new URL(callback.headers.location ?? '', 'http://x');
  return {
    start: { status: start.status, code: start.body.errors?.[0]?.code, detail: start.body.errors?.[0]?.detail, message: start.body.errors?.[0]?.message },
    callback: { code: landing.searchParams.get('dingtalk_error'), detail: landing.searchParams.get('dingtalk_detail') },
    inApp: { status: inApp.status, code: inApp.body.errors?.[0]?.code, detail: inApp.body.errors?.[0]?.detail, message: inApp.body.errors?.[0]?.message },
    answers: JSON.stringify([start.body, callback.headers, inApp.body]),
    created: { users: (await countUsers(h.app)) - before.users, links: (await countLinks(h.app, NAME)) - before.links },
    dingTalkCalls: dingTalkCalls() - before.calls,
  };
}

/** What every way in must answer for a stored setting that does not parse. */
function refusedNaming(field: string) {
  return {
    start: { status: 400, code: 'CONFIG_INVALID', detail: field, message: expect.stringContaining(`"${field}"`) },
    callback: { code: 'CONFIG_INVALID', detail: field },
    inApp: { status: 400, code: 'CONFIG_INVALID', detail: field, message: expect.stringContaining(`"${field}"`) },
    answers: expect.any(String),
    created: { users: 0, links: 0 },
    dingTalkCalls: 0,
  };
}

beforeAll(async () => {
  h = await startHarness();
  h.app.environment.setVariable(SECRET_VARIABLE, SECRET_VALUE, { isSecret: true });
  await createAuthenticator(h.app, { name: NAME, options: GOOD });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('settings that do not parse (G11)', () => {
  it('G11 a blank organization, or a setting of the wrong type, is refused when saved, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ allowedCorpIds: [' '] }, 'allowedCorpIds'],
      [{ allowedCorpIds: [corpId, ''] }, 'allowedCorpIds'],
      [{ allowedCorpIds: [corpId, 42] }, 'allowedCorpIds'],
      [{ allowedCorpIds: corpId }, 'allowedCorpIds'],
      [{ allowedCorpIds: null }, 'allowedCorpIds'],
      [{ verifyMembership: 'true' }, 'verifyMembership'],
      [{ autoSignup: 1 }, 'autoSignup'],
      [{ matchBy: ['phone', 'nickname'] }, 'matchBy'],
      [{ profileSync: { email: 'always' } }, 'profileSync.email'],
      [{ inAppSignIn: true, corpId: ' ' }, 'corpId'],
      [{ clientId: 'ding client' }, 'clientId'],
      // A misspelt option would otherwise be ignored: here, no organization restriction at all.
      [{ allowedCorpIDs: [corpId] }, 'allowedCorpIDs'],
    ];
    const answers = [];
    for (const [i, [wrong, field]] of cases.entries()) {
      answers.push([field, await saveThroughApi(`g11-save-${i}`, { ...CREDENTIALS, ...wrong })]);
    }
    expect(answers).toEqual(cases.map(([, field]) => [field, `Invalid DingTalk setting: ${LABELS[field] ?? field}`]));
  });

  it('a refused save answers CONFIG_INVALID with the key path of the field, and names it as the form labels it', async () => {
    expect(await saveAnswer('g11-path', { ...CREDENTIALS, profileSync: { email: 'always' } })).toEqual({
      status: 400,
      message: 'Invalid DingTalk setting: Profile sync › Email',
      code: 'CONFIG_INVALID',
      detail: 'profileSync.email',
    });
  });

  it('an enabled DingTalk authenticator without its Client ID or Client Secret is refused when saved; a disabled draft is kept', async () => {
    expect(await saveAnswer('enabled-empty', {}, true)).toEqual({
      status: 400,
      message: 'Fill in "Client ID" to enable this DingTalk sign-in.',
      code: 'CONFIG_INVALID',
      detail: 'clientId',
    });
    expect(await saveAnswer('enabled-no-secret', { clientId: CLIENT_ID, clientSecret: '  ' }, true)).toMatchObject({ code: 'CONFIG_INVALID', detail: 'clientSecret' });
    expect(await h.app.db.getRepository('authenticators').count({ filter: { name: { $in: ['enabled-empty', 'enabled-no-secret'] } } })).toBe(0);
    expect(await saveAnswer('disabled-empty', {}, false)).toBeUndefined();
    // Enabling it later, still empty, is refused too.
    const res = await (await admin()).post('/api/authenticators:update').query({ filter: JSON.stringify({ name: 'disabled-empty' }) }).send({ enabled: true });
    expect({ status: res.status, detail: res.body.errors?.[0]?.detail }).toEqual({ status: 400, detail: 'clientId' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['allowedCorpIds', { allowedCorpIds: [' '] }],
    ['allowedCorpIds', { allowedCorpIds: [corpId, 42] }],
    ['allowedCorpIds', { allowedCorpIds: corpId }],
    ['allowedCorpIds', { allowedCorpIds: null }],
    ['verifyMembership', { verifyMembership: 'true' }],
    ['autoSignup', { autoSignup: 'yes' }],
    ['signupWithoutPhone', { signupWithoutPhone: 1 }],
    ['matchBy', { matchBy: ['phone', 'nickname'] }],
    ['matchBy', { matchBy: 'phone' }],
    ['inAppSignIn', { inAppSignIn: 'true' }],
    ['corpId', { corpId: 42 }],
    ['profileSync', { profileSync: 'overwrite' }],
    ['profileSync.nickname', { profileSync: { nickname: 'always' } }],
    ['clientId', { clientId: 42 }],
    ['clientSecret', { clientSecret: ['x'] }],
  ])('G11 a stored %s of the wrong type (%j) refuses every way in with CONFIG_INVALID naming it; nothing created, no DingTalk call', async (field, wrong) => {
    expect(await tryEveryWayIn({ ...GOOD, ...wrong })).toEqual(refusedNaming(field));
  });

  it('settings left out read as their defaults; spaces around an identifier are trimmed', async () => {
    expect(await saveThroughApi('defaults', { ...CREDENTIALS, corpId: ` ${corpId} `, allowedCorpIds: [` ${corpId}`] })).toBeUndefined();
    await storeDirectly(CREDENTIALS);
    // No sign-up by default: a newcomer is refused.
    const unknown = await signInWithDingTalk(h, 'lisi', { authenticator: NAME });
    expect(unknown.landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');
    await storeDirectly({ ...CREDENTIALS, autoSignup: true, allowedCorpIds: [` ${corpId} `] });
    const known = await signInWithDingTalk(h, { identity: 'lisi', corpId }, { authenticator: NAME });
    expect(known.signIn?.status).toBe(200);
  });
});

describe('variables in settings that reach anonymous answers or URLs (G12)', () => {
  it.each<[string, Record<string, unknown>]>([
    ['clientId', { clientId: `{{$env.${SECRET_VARIABLE}}}` }],
    ['corpId', { corpId: `{{$env.${SECRET_VARIABLE}}}` }],
    ['allowedCorpIds', { allowedCorpIds: [`{{$env.${SECRET_VARIABLE}}}`] }],
  ])('G12 a stored %s of {{$env.X}} is not expanded: getAuthUrl, publicList and in-app sign-in never show the value and refuse', async (field, wrong) => {
    const result = await tryEveryWayIn({ ...GOOD, ...wrong });
    expect(result.answers).not.toContain(SECRET_VALUE);
    expect(result).toEqual(refusedNaming(field));
    const list = JSON.stringify((await h.app.agent().resource('authenticators').publicList()).body);
    expect(list).not.toContain(SECRET_VALUE);
    // Nor the literal, which the in-app page would hand to DingTalk's JSAPI.
    expect(list).not.toContain('$env');
  });

  it('G12 saving {{$env.X}} in any setting but the Client Secret is refused, naming the field; the Client Secret may use one', async () => {
    const variable = `{{$env.${SECRET_VARIABLE}}}`;
    expect([
      await saveThroughApi('g12-client-id', { ...CREDENTIALS, clientId: variable }),
      await saveThroughApi('g12-corp-id', { ...CREDENTIALS, inAppSignIn: true, corpId: variable }),
      await saveThroughApi('g12-allowed', { ...CREDENTIALS, allowedCorpIds: [corpId, variable] }),
    ]).toEqual([
      'The DingTalk setting "Client ID" cannot use a variable: only the Client Secret can.',
      'The DingTalk setting "Organization corpId" cannot use a variable: only the Client Secret can.',
      'The DingTalk setting "Allowed DingTalk organizations" cannot use a variable: only the Client Secret can.',
    ]);

    h.app.environment.setVariable('G12_DINGTALK_SECRET', CLIENT_SECRET, { isSecret: true });
    const res = await (await admin())
      .post('/api/authenticators:create')
      .send({ name: 'g12-secret', authType: 'dingtalk', enabled: true, options: { clientId: CLIENT_ID, clientSecret: '{{$env.G12_DINGTALK_SECRET}}', autoSignup: true } });
    expect(res.status).toBe(200);
    const signIn = await signInWithDingTalk(h, person(), { authenticator: 'g12-secret' });
    expect(signIn.signIn?.status).toBe(200);
  });
});
