import type { Identity } from './identities';

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

function describe(identity: Identity): string {
  const bits = [
    identity.mobile ? `+${identity.stateCode} ${identity.mobile}` : 'no mobile',
    identity.email ?? 'no email',
    `unionId ${identity.unionId}`,
  ];
  return bits.map(escapeHtml).join(' · ');
}

export function renderLoginPage(params: AuthorizeParams, identities: Identity[], approvePath: string): string {
  const action = escapeHtml(approvePath);
  const target = (() => {
    try {
      return new URL(params.redirectUri).host;
    } catch {
      return params.redirectUri;
    }
  })();
  const buttons = identities
    .map(
      (identity) => `<li><button type="submit" class="identity" name="identity" value="${escapeHtml(identity.id)}" data-identity="${escapeHtml(identity.id)}">
<strong>${escapeHtml(identity.nick)}</strong><span>${describe(identity)}</span></button></li>`,
    )
    .join('\n');
  const body = `<h1>选择登录身份 · Choose who signs in</h1>
<p class="meta">App (client_id): <code>${escapeHtml(params.clientId)}</code></p>
<p class="meta">Returns to: <code>${escapeHtml(target)}</code> · scope: <code>${escapeHtml(params.scope)}</code></p>
<form method="post" action="${action}" id="pick">
${hiddenFields(params)}
<ul>
${buttons || '<li>No identities configured; use the custom form below.</li>'}
</ul>
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
<button type="submit" class="approve" name="action" value="approve-custom" data-action="approve-custom">同意 · Approve</button>
</form>
</section>`;
  return page('DingTalk (emulator) · 登录', body);
}

/** DingTalk shows its own error page and never redirects when the request itself is bad. */
export function renderErrorPage(message: string): string {
  return page('DingTalk (emulator) · 错误', `<h1 class="error">无法登录 · Cannot sign in</h1>\n<p data-error>${escapeHtml(message)}</p>`);
}
