// Browser mode only: the Electron project leaves *.browser.spec.ts out (playwright.config.ts).
import { expect, test } from './fixtures.ts';

test.describe('browser-mode host', () => {
  test('an API call without the token gets 401, with it 200', async ({ request, webHost }) => {
    const without = await request.post(`${webHost.origin}/api/call/app.info`, { data: {} });
    expect(without.status()).toBe(401);
    expect((await without.json()).error.code).toBe('unauthorized');
    const withToken = await request.post(`${webHost.origin}/api/call/app.info`, {
      data: {},
      headers: { 'x-modeldock-token': webHost.token },
    });
    expect(withToken.status()).toBe(200);
    expect((await withToken.json()).value.mode).toBe('browser');
  });

  test('the page is served with a strict CSP and the token leaves the address bar', async ({
    app,
    webHost,
  }) => {
    const response = await app.request.get(`${webHost.origin}/`);
    const csp = response.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(response.headers()['access-control-allow-origin']).toBeUndefined();
    expect(app.url()).not.toContain(webHost.token);
    // A reload keeps working: the token is kept in sessionStorage for this tab.
    await app.reload();
    await expect(app.getByTestId('empty-state')).toBeVisible();
    const info = await app.evaluate(async () => {
      const token = sessionStorage.getItem('modeldock.token') ?? '';
      const reply = await fetch('/api/call/app.info', {
        method: 'POST',
        headers: { 'x-modeldock-token': token, 'content-type': 'application/json' },
        body: '{}',
      });
      return reply.status;
    });
    expect(info).toBe(200);
  });
});

test('a tab opened without the token says how to get in', async ({ page, webHost }) => {
  await page.goto(`${webHost.origin}/`);
  await expect(page.getByTestId('missing-token')).toContainText('npm run web');
});
