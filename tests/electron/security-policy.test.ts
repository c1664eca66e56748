import { describe, expect, it } from 'vitest';
import {
  externalLinkHosts,
  isAllowedExternalUrl,
  isAllowedNavigation,
  isPermissionAllowed,
  isTrustedIpcSender,
  rendererCsp,
} from '../../main/electron/security-policy.ts';

const appPage = 'app://modeldock/index.html';

describe('the desktop window’s security policy', () => {
  it('has a CSP without remote code, eval or inline scripts', () => {
    const directives = Object.fromEntries(
      rendererCsp.split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(rendererCsp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('accepts IPC only from the app window’s top frame on the app page', () => {
    const good = { url: `${appPage}#/`, isMainFrame: true, isAppWindow: true };
    expect(isTrustedIpcSender(good, appPage)).toBe(true);
    expect(isTrustedIpcSender({ ...good, isMainFrame: false }, appPage)).toBe(false);
    expect(isTrustedIpcSender({ ...good, isAppWindow: false }, appPage)).toBe(false);
    expect(isTrustedIpcSender({ ...good, url: 'https://evil.example/' }, appPage)).toBe(false);
    expect(isTrustedIpcSender({ ...good, url: 'file:///tmp/other/index.html' }, appPage)).toBe(false);
    expect(isTrustedIpcSender({ ...good, url: 'app://other/index.html' }, appPage)).toBe(false);
    expect(isTrustedIpcSender(null, appPage)).toBe(false);
  });

  it('denies navigation away from the app page and every permission but clipboard writing', () => {
    expect(isAllowedNavigation(appPage, appPage)).toBe(true);
    expect(isAllowedNavigation('https://example.com/', appPage)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', appPage)).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      expect(isPermissionAllowed(permission)).toBe(false);
    }
    expect(isPermissionAllowed('clipboard-sanitized-write')).toBe(true);
  });

  it('hands only https URLs on allow-listed hosts to the system browser', () => {
    for (const host of externalLinkHosts)
      expect(isAllowedExternalUrl(`https://${host}/a?b#c`), host).toBe(true);
    for (const url of [
      'http://onnx.ai/',
      'https://onnx.ai:8443/',
      'https://user:pass@onnx.ai/',
      'https://onnx.ai@attacker.example/',
      'https://sub.onnx.ai/',
      'https://onnx.ai.attacker.example/',
      'file:///etc/passwd',
      'smb://onnx.ai/share',
      'ms-settings:',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });
});
