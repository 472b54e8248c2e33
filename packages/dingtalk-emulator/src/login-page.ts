import { memberships, type Identity } from './identities';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe for both text and quoted attribute values: identity fields and URLs come from outside. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}

/** The authorization request as carried through the login page's hidden fields. */
export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  scope: string;
  state?: string;
  prompt?: string;
  /** Organization pre-selected by the authorization URL's `corpId` parameter. */
  corpId?: string;
}

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f2f4f7;color:#1f2329}
  .banner{background:#0089ff;color:#fff;padding:12px 24px;font-weight:600;letter-spacing:.02em}
  .banner small{font-weight:400;opacity:.85;margin-left:8px}
  main{max-width:520px;margin:32px auto;background:#fff;border-radius:12px;padding:24px 28px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
  h1{font-size:20px;margin:0 0 8px}
  p.meta{color:#646a73;font-size:13px;margin:4px 0;word-break:break-all}
  ul{list-style:none;padding:0;margin:20px 0}
  li{margin:8px 0}
  button{font:inherit;cursor:pointer;border-radius:8px}
  .identity{width:100%;text-align:left;padding:10px 14px;border:1px solid #dee0e3;background:#fff;display:flex;flex-direction:column}
  .identity:hover{border-color:#0089ff;background:#f0f7ff}
  .identity span{color:#646a73;font-size:13px}
  .cancel{padding:8px 16px;border:1px solid #dee0e3;background:#fff}
  .custom{margin-top:20px;border-top:1px solid #eee;padding-top:12px}
  h2{font-size:15px;margin:0 0 4px}
  label{display:block;font-size:13px;color:#646a73;margin-top:8px}
  input{width:100%;padding:6px 8px;border:1px solid #dee0e3;border-radius:6px;font:inherit}
  .approve{margin-top:14px;padding:8px 16px;border:0;background:#0089ff;color:#fff}
  .error{color:#d83931}
  .org{display:flex;gap:8px;align-items:center;font-size:13px;color:#646a73;margin:4px 0 0 2px}
  .org select{font:inherit;padding:3px 6px;border:1px solid #dee0e3;border-radius:6px}
  .personal{font-size:13px;color:#8f959e;margin:4px 0 0 2px}
  form.pick{margin:0}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="banner">DingTalk (emulator)<small>钉钉登录模拟器 · not the real DingTalk</small></header>
<main>
${body}
</main>
</body>
</html>
`;
}

function hiddenFields(params: AuthorizeParams): string {
  const fields: Array<[string, string | undefined]> = [
    ['client_id', params.clientId],
    ['redirect_uri', params.redirectUri],
    ['scope', params.scope],
    ['state', params.state],
    ['prompt', params.prompt],
    ['response_type', 'code'],
  ];
  return fields
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n');
}

function describe(identity: Identity, orgName: (corpId: string) => string): string {
  const orgs = memberships(identity);
  const bits = [
    identity.mobile ? `+${identity.stateCode} ${identity.mobile}` : 'no mobile',
    identity.email ?? 'no email',
    `unionId ${identity.unionId}`,
    orgs.length ? orgs.map((org) => orgName(org.corpId)).join(', ') : '个人账号 personal account',
  ];
  return bits.map(escapeHtml).join(' · ');
}

/**
 * Under scope `corpid` DingTalk asks which organization to sign in for: one select per person,
 * pre-set to the URL's `corpId` when the person belongs to it, else to their first organization.
 */
function organizationChoice(identity: Identity, params: AuthorizeParams, orgName: (corpId: string) => string): string {
  if (!params.scope.split(/\s+/).includes('corpid')) return '';
  const orgs = memberships(identity);
  const id = escapeHtml(identity.id);
  if (orgs.length === 0) {
    return `<p class="personal" data-personal="${id}">个人账号，未加入任何组织 · personal account, no organization</p>`;
  }
  const preselected = orgs.some((org) => org.corpId === params.corpId) ? params.corpId : orgs[0].corpId;
  const options = orgs
    .map((org) => {
      const corpId = escapeHtml(org.corpId);
      const selected = org.corpId === preselected ? ' selected' : '';
      return `<option value="${corpId}" data-corp-id="${corpId}"${selected}>${escapeHtml(orgName(org.corpId))} (${corpId})</option>`;
    })
    .join('');
  return `<label class="org">选择组织 · Organization <select name="corpId" data-org-select="${id}">${options}</select></label>`;
}

export function renderLoginPage(
  params: AuthorizeParams,
  identities: Identity[],
  approvePath: string,
  orgName: (corpId: string) => string = (corpId) => corpId,
): string {
  const action = escapeHtml(approvePath);
  const target = (() => {
    try {
      return new URL(params.redirectUri).host;
    } catch {
      return params.redirectUri;
    }
  })();
  // One form per person, so each person's organization select travels with their button.
  const buttons = identities
    .map(
      (identity) => `<li><form method="post" action="${action}" class="pick">
${hiddenFields(params)}
<button type="submit" class="identity" name="identity" value="${escapeHtml(identity.id)}" data-identity="${escapeHtml(identity.id)}">
<strong>${escapeHtml(identity.nick)}</strong><span>${describe(identity, orgName)}</span></button>
${organizationChoice(identity, params, orgName)}
</form></li>`,
    )
    .join('\n');
  const body = `<h1>选择登录身份 · Choose who signs in</h1>
<p class="meta">App (client_id): <code>${escapeHtml(params.clientId)}</code></p>
<p class="meta">Returns to: <code>${escapeHtml(target)}</code> · scope: <code>${escapeHtml(params.scope)}</code></p>
<ul id="pick">
${buttons || '<li>No identities configured; use the custom form below.</li>'}
</ul>
<form method="post" action="${action}" id="cancel">
${hiddenFields(params)}
<button type="submit" class="cancel" name="action" value="cancel" data-action="cancel">取消 · Cancel</button>
</form>
<section class="custom">
<h2>自定义身份 · Custom identity</h2>
<form method="post" action="${action}" id="custom">
${hiddenFields(params)}
<label>nick <input name="nick" required maxlength="64"></label>
<label>mobile <input name="mobile" inputmode="numeric" pattern="[0-9]*"></label>
<label>stateCode <input name="stateCode" inputmode="numeric" pattern="[0-9]*" placeholder="86"></label>
<label>email <input name="email"></label>
<label>unionId <input name="unionId" placeholder="derived from nick when empty"></label>
<label>openId <input name="openId" placeholder="derived from nick when empty"></label>
<label>corpId <input name="corpId" placeholder="empty: a personal account in no organization"></label>
<label>userid <input name="userid" placeholder="userid in that organization; derived when empty"></label>
<button type="submit" class="approve" name="action" value="approve-custom" data-action="approve-custom">同意 · Approve</button>
</form>
</section>`;
  return page('DingTalk (emulator) · 登录', body);
}

/** DingTalk shows its own error page and never redirects when the request itself is bad. */
export function renderErrorPage(message: string): string {
  return page('DingTalk (emulator) · 错误', `<h1 class="error">无法登录 · Cannot sign in</h1>\n<p data-error>${escapeHtml(message)}</p>`);
}
