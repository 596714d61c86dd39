import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, parseTags, type ReplicationForm, requestOf, selectionText } from './replication.form.ts';

const FLOW = '6c0d9a37-5a2c-4ab5-9d6a-7c1c4bdbd0e1';
const form = (change: Partial<ReplicationForm>): ReplicationForm => ({
  ...EMPTY_FORM,
  url: 'http://tams.site-b/tams/v8.2',
  id: FLOW,
  ...change,
});

describe('the Replicate form', () => {
  it('sends the defaults the API would take, the label when given, no auth when none', () => {
    expect(requestOf(form({ label: '  Site B  ' }))).toEqual({
      origin: { url: 'http://tams.site-b/tams/v8.2' },
      select: { flow_id: FLOW },
      media: 'reference',
      follow: true,
      mirror_deletions: false,
      ids: 'keep',
      label: 'Site B',
    });
  });

  it('sends the fields of the chosen kind of credentials only, secrets as typed', () => {
    const filled = {
      token: ' t ',
      username: 'ana',
      password: ' p ',
      tokenUrl: 'https://idp/token',
      clientId: 'c',
      clientSecret: 's',
    };
    const authOf = (auth: ReplicationForm['auth']) => {
      const request = requestOf(form({ ...filled, auth }));
      return typeof request === 'string' ? request : request.origin.auth;
    };
    expect(authOf('bearer')).toEqual({ type: 'bearer', token: ' t ' });
    expect(authOf('basic')).toEqual({ type: 'basic', username: 'ana', password: ' p ' });
    expect(authOf('client_credentials')).toEqual({
      type: 'client_credentials',
      token_url: 'https://idp/token',
      client_id: 'c',
      client_secret: 's',
    });
    expect(requestOf(form({ auth: 'basic', username: 'ana' }))).toMatch(/password/);
  });

  it('selects by Source, or by tags one name=value a line', () => {
    expect(requestOf(form({ select: 'source_id' }))).toMatchObject({ select: { source_id: FLOW } });
    expect(requestOf(form({ select: 'tags', tags: 'site = b\n\nshow=a=b\n' }))).toMatchObject({
      select: { tags: { site: 'b', show: 'a=b' } },
    });
    expect(requestOf(form({ id: 'not-a-uuid' }))).toMatch(/UUID/);
  });

  it('says what is wrong rather than sending it', () => {
    expect(requestOf(form({ url: ' ' }))).toMatch(/origin/);
    expect(requestOf(form({ url: 'file:///etc/passwd' }))).toMatch(/http/);
    expect(parseTags('')).toMatch(/at least one/);
    expect(parseTags('genre')).toMatch(/name=value/);
    expect(parseTags('a=1\na=2')).toMatch(/twice/);
    expect(parseTags(Array.from({ length: 17 }, (_, i) => `t${i}=x`).join('\n'))).toMatch(/16/);
  });

  it('reads a selection back as a line', () => {
    expect(selectionText({ flow_id: FLOW })).toBe(`Flow ${FLOW}`);
    expect(selectionText({ tags: { site: 'b', show: 'news' } })).toBe('Flows tagged site=b, show=news');
  });
});
