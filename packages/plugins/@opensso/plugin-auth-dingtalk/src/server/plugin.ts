import type { Model, Transaction } from '@nocobase/database';
import { Plugin } from '@nocobase/server';
import { tval } from '@nocobase/utils';
import { ACTIONS, AUTH_TYPE, LINKS_SNIPPET, NAMESPACE, RESOURCE } from '../constants';
import { createActions } from './actions';
import { reloadUnknownAuthenticators } from './authenticators';
import { redactCallbackUrl } from './callback-redaction';
import { createDingTalkAuth } from './dingtalk-auth';
import { registerDirectorySync } from './directory-sync-registration';
import { linkBlocksCollection } from './link-blocks';
import { ensureUniqueLinkIndex } from './link-index';
import { OPTIONS_NOT_FROM_ENV, getPublicOptions, settingProblem } from './options';
import { redactLoggedParams } from './request-log-redaction';
import { settingLabel } from '../setting-labels';
import { Sealer } from './sealed';
import { errorBodyWithDetail } from './sign-in-error';
import { SignInFlow } from './sign-in-flow';
import { registerWorkNotices } from './work-notices';

type Translate = (key: string, values: Record<string, unknown>) => string;

/** What plugin-error-handler offers other plugins: a renderer for the errors its guard recognises. */
type ErrorHandler = { register(guard: typeof errorBodyWithDetail.guard, render: typeof errorBodyWithDetail.render): void };

export class PluginAuthDingTalkServer extends Plugin {
  async load() {
    // Defined here rather than in a collections folder: see link-blocks.ts.
    this.db.collection(linkBlocksCollection);
    const sealer = new Sealer(
      () => process.env.APP_KEY,
      () => this.app.log.warn('dingtalk: APP_KEY is not set; pending DingTalk sign-ins only complete on the node that started them, until it restarts'),
      () => this.app.name,
    );
    const flow = new SignInFlow(() => this.app.cache, this.app.lockManager, sealer);
    const auth = createDingTalkAuth(flow);
    // Only the client secret may come from a variable: NocoBase's storer leaves these options as they are saved.
    auth.optionsKeysNotAllowedInEnv = OPTIONS_NOT_FROM_ENV;
    this.app.authManager.registerTypes(AUTH_TYPE, {
      auth,
      title: tval('DingTalk', { ns: NAMESPACE }),
      getPublicOptions,
    });
    this.app.resourceManager.define({ name: RESOURCE, actions: createActions(flow) });
    this.app.use(redactCallbackUrl, { tag: 'authDingTalkRedactCallback', before: 'logger' });
    // Before NocoBase's auth middleware (inside `dataSource`) looks the request's authenticator up in its node's list.
    this.app.use(reloadUnknownAuthenticators(), { tag: 'authDingTalkReloadAuthenticators', before: 'dataSource' });
    // Inside the logger, so that its "response" line, written after everything inside it, sees the redacted copy.
    this.app.use(redactLoggedParams, { tag: 'authDingTalkRedactLoggedParams', after: 'logger', before: 'bodyParser' });
    // A wrong setting is refused when it is saved, with the field named, rather than failing sign-ins later.
    this.app.db.on('authenticators.beforeSave', async (model: Model, options: { context?: { t?: Translate }; transaction?: Transaction }) => {
      if (model.get('authType') !== AUTH_TYPE) return;
      // In the language of the admin's request when there is one.
      const t: Translate = options?.context?.t ?? ((key, values) => String(this.app.i18n.t(key, values)));
      // The sentence names the field as the form labels it; `detail` keeps its key path for the form to highlight.
      const refuse = (message: string, field: string, values: Record<string, unknown> = {}) => {
        const label = settingLabel(field, (key) => t(key, { ns: NAMESPACE }));
        // Not HTML-escaped: the page shows it as text, and a label's apostrophe must stay one.
        throw Object.assign(new Error(t(message, { ns: NAMESPACE, field: label, ...values, interpolation: { escapeValue: false } })), {
          status: 400,
          code: 'CONFIG_INVALID',
          detail: field,
        });
      };
      const problem = settingProblem(model.get('options'));
      if (problem?.reason === 'variable') refuse('The DingTalk setting "{{field}}" cannot use a variable: only the Client Secret can.', problem.field);
      if (problem) refuse('Invalid DingTalk setting: {{field}}', problem.field);
      // Enabled, it shows a button at once: without credentials every click would fail.
      const credentials = (model.get('options') ?? {}) as { clientId?: unknown; clientSecret?: unknown };
      for (const field of ['clientId', 'clientSecret'] as const) {
        const value = credentials[field];
        if (model.get('enabled') && (typeof value !== 'string' || !value.trim())) refuse('Fill in "{{field}}" to enable this DingTalk sign-in.', field);
      }
      // Inside the DingTalk app the sign-in page signs in by itself: with two candidates it could not choose.
      const settings = (model.get('options') ?? {}) as { inAppSignIn?: boolean };
      if (model.get('enabled') && settings.inAppSignIn) {
        const others = await this.app.db.getRepository('authenticators').find({
          filter: { authType: AUTH_TYPE, enabled: true, ...(model.get('id') ? { id: { $ne: model.get('id') } } : {}) },
          transaction: options?.transaction,
        });
        const other = others.find((row: Model) => (row.get('options') as { inAppSignIn?: boolean } | null)?.inAppSignIn);
        if (other) {
          refuse('Only one enabled DingTalk authenticator can sign in automatically inside the DingTalk app; "{{name}}" already does.', 'inAppSignIn', {
            name: other.get('name'),
          });
        }
      }
    });
    // `auth:signIn` refusals go through NocoBase's error handler, which would drop the detail their sentence names.
    const errorHandler = (this.app.pm.get('error-handler') as { errorHandler?: ErrorHandler } | undefined)?.errorHandler;
    errorHandler?.register(errorBodyWithDetail.guard, errorBodyWithDetail.render);
    this.app.acl.allow(RESOURCE, [ACTIONS.getAuthUrl, ACTIONS.start, ACTIONS.redirect], 'public');
    this.app.acl.allow(
      RESOURCE,
      [ACTIONS.getRedirectUrl, ACTIONS.getLinkUrl, ACTIONS.completeLink, ACTIONS.listMyLinks, ACTIONS.unlinkMe],
      'loggedIn',
    );
    this.app.acl.registerSnippet({
      name: LINKS_SNIPPET,
      actions: [ACTIONS.listLinks, ACTIONS.removeLink, ACTIONS.listLinkBlocks, ACTIONS.removeLinkBlock, ACTIONS.testConnection].map((name) => `${RESOURCE}:${name}`),
    });
    // The "DingTalk work notification" channel type, when NocoBase's notification manager is enabled.
    registerWorkNotices(this.app);
    await registerDirectorySync(this.app);
  }

  /** First enabled in an app (new or existing): the unique link index. Existing installs get it by migration. */
  async install() {
    await ensureUniqueLinkIndex(this.db, this.app.log);
  }
}

export default PluginAuthDingTalkServer;
