import { newUserId } from '@heartfelt/kit';
import { newPublicToken, ownerOfPublicToken } from '../src/delivery/ids';
import { renderCardPage, renderNotFoundPage } from '../src/publicPage/render';

describe('public tokens', () => {
  test('token embeds its owner', () => {
    const ownerId = newUserId();

    expect(ownerOfPublicToken(newPublicToken(ownerId))).toBe(ownerId);
  });

  test('token carries 128 random bits', () => {
    const token = newPublicToken(newUserId());
    const random = token.split('.')[1]!;

    expect(Buffer.from(random, 'base64url')).toHaveLength(16);
  });

  test('tokens differ for one owner', () => {
    const ownerId = newUserId();

    expect(newPublicToken(ownerId)).not.toBe(newPublicToken(ownerId));
  });

  test.each([
    '',
    'abc',
    'usr_x.y',
    `${'a'.repeat(20)}.short`,
    `${'A'.repeat(20)}.${'a'.repeat(22)}`,
  ])('malformed token %j has no owner', (token) => {
    expect(ownerOfPublicToken(token)).toBeNull();
  });
});

describe('renderCardPage', () => {
  const hostile = '<img src=x onerror=alert(1)>"\'&';

  test('escapes every user text', () => {
    const html = renderCardPage({
      message: hostile,
      presentation: { templateTitle: hostile, senderName: hostile, artworkUrl: null },
    });

    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
  });

  test('keeps message line breaks', () => {
    const html = renderCardPage({
      message: 'Line one\nLine two',
      presentation: { templateTitle: 'T', senderName: 'S', artworkUrl: null },
    });

    expect(html).toContain('Line one<br>\nLine two');
  });

  test('drops a non-web artwork URL', () => {
    const html = renderCardPage({
      message: 'Hi',
      presentation: { templateTitle: 'T', senderName: 'S', artworkUrl: 'javascript:alert(1)' },
    });

    expect(html).not.toContain('<img');
  });

  test('shows an https artwork URL', () => {
    const html = renderCardPage({
      message: 'Hi',
      presentation: {
        templateTitle: 'T',
        senderName: 'S',
        artworkUrl: 'https://cdn.example.test/a.png?x=1&y="2"',
      },
    });

    expect(html).toContain('<img src="https://cdn.example.test/a.png?x=1&amp;y=&quot;2&quot;"');
  });

  test('not-found page names the problem', () => {
    expect(renderNotFoundPage()).toContain('Card not found');
  });
});
