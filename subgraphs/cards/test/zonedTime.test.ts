import { instantOfLocalTime, utcOffsetMs } from '../src/delivery/zonedTime';

const NINE = { hour: 9, minute: 0 };
const HOUR_MS = 60 * 60 * 1000;

describe('instantOfLocalTime', () => {
  test.each([
    // America/New_York: EST (UTC-5) in winter, EDT (UTC-4) from the second Sunday of March
    // to the first Sunday of November.
    ['America/New_York', '2026-01-15', '2026-01-15T14:00:00.000Z'],
    ['America/New_York', '2026-07-15', '2026-07-15T13:00:00.000Z'],
    ['America/New_York', '2026-03-07', '2026-03-07T14:00:00.000Z'],
    ['America/New_York', '2026-03-08', '2026-03-08T13:00:00.000Z'],
    ['America/New_York', '2026-10-31', '2026-10-31T13:00:00.000Z'],
    ['America/New_York', '2026-11-01', '2026-11-01T14:00:00.000Z'],
    ['Europe/Paris', '2026-03-29', '2026-03-29T07:00:00.000Z'],
    ['Europe/Paris', '2026-12-24', '2026-12-24T08:00:00.000Z'],
    ['UTC', '2026-06-01', '2026-06-01T09:00:00.000Z'],
    ['Asia/Kolkata', '2026-06-01', '2026-06-01T03:30:00.000Z'],
    ['Asia/Kathmandu', '2026-06-01', '2026-06-01T03:15:00.000Z'],
    // Lord Howe Island moves its clocks by 30 minutes: UTC+11 in summer, UTC+10:30 in winter.
    ['Australia/Lord_Howe', '2026-01-10', '2026-01-09T22:00:00.000Z'],
    ['Australia/Lord_Howe', '2026-07-10', '2026-07-09T22:30:00.000Z'],
    // Kiritimati is UTC+14, so its 09:00 is the previous day in UTC.
    ['Pacific/Kiritimati', '2026-06-01', '2026-05-31T19:00:00.000Z'],
    ['Pacific/Pago_Pago', '2026-06-01', '2026-06-01T20:00:00.000Z'],
  ])('09:00 in %s on %s is %s', (timeZone, date, expected) => {
    expect(instantOfLocalTime(date, NINE, timeZone).toISOString()).toBe(expected);
  });

  test('time in a spring-forward gap moves forward', () => {
    // New York skips 02:00-03:00 on 2026-03-08, so 02:30 is taken as 03:30 EDT.
    const instant = instantOfLocalTime('2026-03-08', { hour: 2, minute: 30 }, 'America/New_York');

    expect(instant.toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });

  test('repeated fall-back time takes the earlier', () => {
    // New York shows 01:00-02:00 twice on 2026-11-01: first in EDT, then in EST.
    const instant = instantOfLocalTime('2026-11-01', { hour: 1, minute: 30 }, 'America/New_York');

    expect(instant.toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  test('unknown time zone raises RangeError', () => {
    expect(() => instantOfLocalTime('2026-06-01', NINE, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('utcOffsetMs', () => {
  test('New York offset follows DST', () => {
    expect(utcOffsetMs(Date.parse('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(-5 * HOUR_MS);
    expect(utcOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-4 * HOUR_MS);
  });

  test('offset ignores milliseconds of the instant', () => {
    expect(utcOffsetMs(Date.parse('2026-01-15T12:00:00.999Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR_MS);
  });
});
