import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { newOwnedId, newTemplateId, newUserId } from '@heartfelt/kit';
import { cardPageUrl, composeCardEmail } from '../src/delivery/email';
import { newDeliveryId, newPublicToken } from '../src/delivery/ids';
import { SmtpMailer } from '../src/delivery/mail';
import { decodeQuotedPrintable } from './eml';

/** One message a minimal SMTP server received. */
interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
}

/**
 * Starts a minimal SMTP server on 127.0.0.1 that accepts every message (no TLS, no auth), enough
 * for nodemailer's plain SMTP client.
 */
async function startSmtpServer(): Promise<{ server: Server; port: number; inbox: ReceivedMail[] }> {
  const inbox: ReceivedMail[] = [];
  const server = createServer((socket: Socket) => {
    let buffer = '';
    let current: ReceivedMail = { from: '', to: [], data: '' };
    let inData = false;
    socket.write('220 test SMTP ready\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let index: number;
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            inbox.push(current);
            current = { from: '', to: [], data: '' };
            socket.write('250 queued\r\n');
          } else {
            current.data += `${line.startsWith('..') ? line.slice(1) : line}\r\n`;
          }
          continue;
        }
        const command = line.slice(0, 4).toUpperCase();
        if (command === 'EHLO' || command === 'HELO') socket.write('250 test\r\n');
        else if (command === 'MAIL') {
          current.from = line;
          socket.write('250 ok\r\n');
        } else if (command === 'RCPT') {
          current.to.push(line);
          socket.write('250 ok\r\n');
        } else if (command === 'DATA') {
          inData = true;
          socket.write('354 end with .\r\n');
        } else if (command === 'QUIT') {
          socket.end('221 bye\r\n');
        } else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, inbox };
}

test('SmtpMailer sends the composed message', async () => {
  const { server, port, inbox } = await startSmtpServer();
  const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`);
  try {
    const ownerId = newUserId();
    const publicToken = newPublicToken(ownerId);
    const deliveryId = newDeliveryId();
    const pageUrl = cardPageUrl('https://cards.heartfelt.test', publicToken);
    const now = new Date();
    const mail = composeCardEmail({
      card: {
        _id: newOwnedId('card', ownerId),
        ownerId,
        templateId: newTemplateId(),
        contactId: newOwnedId('contact', ownerId),
        message: 'Happy birthday!',
        status: 'SCHEDULED',
        sendAt: now,
        createdAt: now,
        updatedAt: now,
        publicToken,
      },
      deliveryId,
      recipient: { name: 'Ada Example', email: 'ada@example.test' },
      presentation: { templateTitle: 'Balloons', senderName: 'Grace', artworkUrl: null },
      pageUrl,
      from: 'Heartfelt <cards@heartfelt.localhost>',
    });

    await mailer.send(mail);
    const wasSent = await mailer.wasSent();

    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.from).toContain('<cards@heartfelt.localhost>');
    expect(inbox[0]!.to).toEqual(['RCPT TO:<ada@example.test>']);
    expect(inbox[0]!.data).toContain(`Message-ID: <${deliveryId}@heartfelt.localhost>`);
    expect(decodeQuotedPrintable(inbox[0]!.data)).toContain(pageUrl);
    expect(wasSent).toBeNull();
  } finally {
    await mailer.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
