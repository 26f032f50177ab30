import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newOwnedId, newTemplateId, newUserId } from '@heartfelt/kit';
import { cardPageUrl, composeCardEmail } from '../src/delivery/email';
import { newDeliveryId, newPublicToken } from '../src/delivery/ids';
import { OutboxMailer } from '../src/delivery/mail';
import { decodeQuotedPrintable } from './eml';
import type { CardDocument } from '../src/repository/documents';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'cards-outbox-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function sampleCard(message: string): CardDocument {
  const ownerId = newUserId();
  const now = new Date();
  return {
    _id: newOwnedId('card', ownerId),
    ownerId,
    templateId: newTemplateId(),
    contactId: newOwnedId('contact', ownerId),
    message,
    status: 'SCHEDULED',
    sendAt: now,
    createdAt: now,
    updatedAt: now,
    publicToken: newPublicToken(ownerId),
  };
}

function sampleEmail(message = 'Happy birthday!') {
  const card = sampleCard(message);
  const deliveryId = newDeliveryId();
  const pageUrl = cardPageUrl('http://127.0.0.1:4000', card.publicToken!);
  const mail = composeCardEmail({
    card,
    deliveryId,
    recipient: { name: 'Ada Example', email: 'ada@example.test' },
    presentation: { templateTitle: 'Balloons', senderName: 'Grace', artworkUrl: null },
    pageUrl,
    from: 'Heartfelt <cards@heartfelt.localhost>',
  });
  return { mail, deliveryId, pageUrl };
}

describe('OutboxMailer', () => {
  test('send writes one .eml named by delivery id', async () => {
    const mailer = new OutboxMailer(folder);
    const { mail, deliveryId } = sampleEmail();

    await mailer.send(mail);

    expect(await readdir(folder)).toEqual([`${deliveryId}.eml`]);
  });

  test('wasSent reports the file', async () => {
    const mailer = new OutboxMailer(folder);
    const { mail, deliveryId } = sampleEmail();

    const before = await mailer.wasSent(deliveryId);
    await mailer.send(mail);
    const after = await mailer.wasSent(deliveryId);

    expect(before).toBe(false);
    expect(after).toBe(true);
  });

  test('.eml is a MIME message with the link', async () => {
    const mailer = new OutboxMailer(folder);
    const { mail, deliveryId, pageUrl } = sampleEmail();

    await mailer.send(mail);
    const raw = await readFile(join(folder, `${deliveryId}.eml`), 'utf8');
    const [headers] = raw.split('\r\n\r\n');

    expect(headers).toContain(`Message-ID: <${deliveryId}@heartfelt.localhost>`);
    expect(headers).toContain('Subject: Grace sent you a card: Balloons');
    expect(headers).toContain('To: Ada Example <ada@example.test>');
    expect(headers).toMatch(/Content-Type: multipart\/alternative/);
    expect(raw).toContain('Content-Type: text/plain');
    expect(raw).toContain('Content-Type: text/html');
    expect(decodeQuotedPrintable(raw)).toContain(`Open your card:\n${pageUrl}`);
    expect(decodeQuotedPrintable(raw)).toContain(`<a href="${pageUrl}">`);
  });

  test('second send keeps the first file', async () => {
    const mailer = new OutboxMailer(folder);
    const { mail, deliveryId } = sampleEmail();
    await mailer.send(mail);
    const first = await readFile(join(folder, `${deliveryId}.eml`), 'utf8');

    await mailer.send({ ...mail, subject: 'A different copy' });
    const after = await readFile(join(folder, `${deliveryId}.eml`), 'utf8');

    expect(after).toBe(first);
    expect(await readdir(folder)).toEqual([`${deliveryId}.eml`]);
  });

  test('creates a missing outbox folder', async () => {
    const nested = join(folder, 'a', 'b');
    const mailer = new OutboxMailer(nested);
    const { mail, deliveryId } = sampleEmail();

    await mailer.send(mail);

    expect(await readdir(nested)).toEqual([`${deliveryId}.eml`]);
  });

  test('rejects a path-like delivery id', async () => {
    const mailer = new OutboxMailer(folder);

    await expect(mailer.wasSent('../escape')).rejects.toThrow(TypeError);
  });
});

describe('composeCardEmail', () => {
  test('escapes the message in HTML', () => {
    const { mail } = sampleEmail('<script>alert(1)</script> & "quotes"');

    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(mail.text).toContain('<script>alert(1)</script>');
  });
});
