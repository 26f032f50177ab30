import { birthdayMonthDayOf, upcomingBirthdays } from '../src/birthdays/upcomingBirthdays';

describe('upcomingBirthdays', () => {
  test('lists seven days from today', () => {
    const days = upcomingBirthdays(new Date('2027-05-10T06:00:00Z'), 7);
    expect(days).toEqual([
      { monthDay: '05-10', date: '2027-05-10' },
      { monthDay: '05-11', date: '2027-05-11' },
      { monthDay: '05-12', date: '2027-05-12' },
      { monthDay: '05-13', date: '2027-05-13' },
      { monthDay: '05-14', date: '2027-05-14' },
      { monthDay: '05-15', date: '2027-05-15' },
      { monthDay: '05-16', date: '2027-05-16' },
    ]);
  });

  test('uses the UTC date of now', () => {
    const days = upcomingBirthdays(new Date('2027-05-10T23:30:00-05:00'), 1);
    expect(days).toEqual([{ monthDay: '05-11', date: '2027-05-11' }]);
  });

  test('celebrates February 29 on February 28 in a common year', () => {
    const days = upcomingBirthdays(new Date('2027-02-26T06:00:00Z'), 4);
    expect(days).toEqual([
      { monthDay: '02-26', date: '2027-02-26' },
      { monthDay: '02-27', date: '2027-02-27' },
      { monthDay: '02-28', date: '2027-02-28' },
      { monthDay: '02-29', date: '2027-02-28' },
      { monthDay: '03-01', date: '2027-03-01' },
    ]);
  });

  test('keeps February 29 in a leap year', () => {
    const days = upcomingBirthdays(new Date('2028-02-28T06:00:00Z'), 2);
    expect(days).toEqual([
      { monthDay: '02-28', date: '2028-02-28' },
      { monthDay: '02-29', date: '2028-02-29' },
    ]);
  });

  test('treats 2100 as a common year', () => {
    const monthDays = upcomingBirthdays(new Date('2100-02-28T00:00:00Z'), 1).map((d) => d.monthDay);
    expect(monthDays).toEqual(['02-28', '02-29']);
  });

  test('crosses into the next year', () => {
    const days = upcomingBirthdays(new Date('2027-12-30T06:00:00Z'), 4);
    expect(days.map((day) => day.date)).toEqual([
      '2027-12-30',
      '2027-12-31',
      '2028-01-01',
      '2028-01-02',
    ]);
    expect(days[3]?.monthDay).toBe('01-02');
  });
});

describe('birthdayMonthDayOf', () => {
  test('returns MM-DD', () => {
    expect(birthdayMonthDayOf('1990-02-27')).toBe('02-27');
  });
});
