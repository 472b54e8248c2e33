import { describe, expect, it } from 'vitest';
import { apiBasePath, localApiUrl, publicPath, signInAddress } from '../urls.mjs';

// The `.env` that `npm start` writes from `.env.example` sets API_BASE_PATH=/api/.
const dotEnv = { APP_PORT: '13000', API_BASE_PATH: '/api/' };

describe('the addresses npm start and the browser tests call', () => {
  it('at the root, as before', () => {
    expect(localApiUrl(dotEnv, 'auth:signIn').href).toBe('http://127.0.0.1:13000/api/auth:signIn');
    expect(localApiUrl({ APP_PORT: '13000' }, 'app:getInfo').href).toBe('http://127.0.0.1:13000/api/app:getInfo');
    expect(signInAddress({ ...dotEnv, APP_URL: 'http://localhost:13000' })).toBe('http://localhost:13000/signin');
  });

  it('under APP_PUBLIC_PATH, the API and the sign-in page are under it, as NocoBase serves them', () => {
    for (const path of ['/nocobase/', '/nocobase', 'nocobase', ' /nocobase// ']) {
      const env = { ...dotEnv, APP_PUBLIC_PATH: path, APP_PORT: '13810', APP_URL: 'http://localhost:13810' };
      expect(publicPath(env)).toBe('/nocobase/');
      expect(localApiUrl(env, 'auth:signIn').href).toBe('http://127.0.0.1:13810/nocobase/api/auth:signIn');
      expect(signInAddress(env)).toBe('http://localhost:13810/nocobase/signin');
    }
  });

  it('takes only the origin of APP_URL, whether or not it repeats the public path', () => {
    const env = { ...dotEnv, APP_PUBLIC_PATH: '/nocobase/', APP_URL: 'https://nocobase.example.com/nocobase/' };
    expect(signInAddress(env)).toBe('https://nocobase.example.com/nocobase/signin');
    expect(signInAddress({ APP_PORT: '13000' })).toBe('http://localhost:13000/signin');
  });

  it('honours another API_BASE_PATH, under the public path as NocoBase prefixes it', () => {
    expect(apiBasePath({ API_BASE_PATH: '/rest' })).toBe('/rest/');
    expect(apiBasePath({ APP_PUBLIC_PATH: '/nb/', API_BASE_PATH: '/rest/' })).toBe('/nb/rest/');
    expect(localApiUrl({ APP_PORT: '1', APP_PUBLIC_PATH: '/nb/', API_BASE_PATH: 'rest' }, 'app:getInfo').pathname).toBe('/nb/rest/app:getInfo');
  });
});
