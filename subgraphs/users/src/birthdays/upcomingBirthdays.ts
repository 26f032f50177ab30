const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** A birthday month-day to look for, and the date of the coming day it falls on. */
export interface UpcomingBirthday {
  /** MM-DD, as stored in `ContactDocument.birthdayMonthDay`. */
  monthDay: string;
  /** YYYY-MM-DD: the day the birthday is celebrated. */
  date: string;
}

/** Returns the MM-DD of a YYYY-MM-DD birthday, the key that the birthday scan queries. */
export function birthdayMonthDayOf(birthday: string): string {
  return birthday.slice(5, 10);
}

/**
 * Lists the birthdays celebrated in the `days` calendar days from `now`'s UTC date on, today
 * included, soonest first. In a year without February 29, birthdays on that day are celebrated
 * on February 28, so that day lists both 02-28 and 02-29. Days past December 31 fall in the
 * next year.
 */
export function upcomingBirthdays(now: Date, days: number): UpcomingBirthday[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const upcoming: UpcomingBirthday[] = [];
  for (let offset = 0; offset < days; offset++) {
    const day = new Date(today + offset * MS_PER_DAY);
    const date = day.toISOString().slice(0, 10);
    const monthDay = birthdayMonthDayOf(date);
    upcoming.push({ monthDay, date });
    if (monthDay === '02-28' && !isLeapYear(day.getUTCFullYear())) {
      upcoming.push({ monthDay: '02-29', date });
    }
  }
  return upcoming;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
