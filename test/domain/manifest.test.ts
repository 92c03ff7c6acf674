import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const manifest = parse(read('../../manifest.yml')) as {
  features: { slash_commands: { command: string }[]; bot_user: { display_name: string }; app_home: Record<string, boolean> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { socket_mode_enabled: boolean; interactivity: { is_enabled: boolean }; event_subscriptions: { bot_events: string[] } };
};

/** Every Web API method the bot calls, with the scope it needs (views.open, views.publish and auth.test need none). */
const SCOPES_USED = ['chat:write', 'commands', 'channels:read', 'groups:read', 'channels:history', 'groups:history', 'files:write'];

/** test/fixtures/slack-app-manifest.schema.json is Slack's published JSON schema for app manifests. */
describe('manifest.yml', () => {
  it("validates against Slack's app manifest schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(read('../fixtures/slack-app-manifest.schema.json')));
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects a broken manifest, so the check above can fail', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(read('../fixtures/slack-app-manifest.schema.json')));
    expect(validate({ ...manifest, display_information: {}, surprise: true })).toBe(false);
  });

  it('creates the app Cashin needs in one step, with only the scopes it uses', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/cashin']);
    expect(manifest.features.bot_user.display_name).toBe('Cashin');
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    // App Home shows the dashboard, drawn on app_home_opened.
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...SCOPES_USED].sort());
  });
});
